#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| itar_filter_fuzz::bodies::scan_ends(data));
