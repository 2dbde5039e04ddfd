#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Unmarked technical data is a judgement over features (quantities in every shape engineers
//! write them, tolerances, references, designators, defense-article vocabulary and compounds, a
//! request to change the values), and the finding names the features behind it.

use itar_filter::engine::{Engine, ScanReport};

fn engine() -> Engine {
    Engine::from_policy_json(include_bytes!("../../policies/default.json")).expect("policy")
}

fn scan(e: &Engine, text: &str) -> ScanReport {
    let mut scratch = e.new_scratch();
    e.scan_text(&mut scratch, text).expect("scan").0
}

/// One set of parameters, written in the shapes the families and real tools use.
fn shapes(article: &str, params: &[(&str, &str, &str)]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let ident = |n: &str| n.replace(' ', "_");
    let prose: Vec<String> = params
        .iter()
        .map(|(n, v, u)| format!("{n} {v} {u}"))
        .collect();
    out.push(("prose", format!("{article}: {}.", prose.join(", "))));
    let mut yaml = format!("article: {article}\nparams:\n");
    for (n, v, u) in params {
        yaml.push_str(&format!("  {}: {v}  # {u}\n", ident(n)));
    }
    out.push(("yaml, unit in a comment", yaml));
    let json: Vec<String> = params
        .iter()
        .map(|(n, v, u)| format!("\"{}\": {{\"value\": {v}, \"unit\": \"{u}\"}}", ident(n)))
        .collect();
    out.push((
        "json value/unit",
        format!("{{\"article\": \"{article}\", {}}}", json.join(", ")),
    ));
    let mut flow = format!("# {article}\nlimits:\n");
    for (n, v, u) in params {
        flow.push_str(&format!(
            "  {}: {{nominal: {v}, unit: \"{u}\"}}\n",
            ident(n)
        ));
    }
    out.push(("yaml flow map nominal/unit", flow));
    let mut toml = format!("# {article}\n[limits]\n");
    for (n, v, u) in params {
        toml.push_str(&format!(
            "{} = {{ unit = \"{u}\", value = {v} }}\n",
            ident(n)
        ));
    }
    out.push(("toml inline table unit/value", toml));
    let dict: Vec<String> = params
        .iter()
        .map(|(n, v, u)| format!("'{}': {{'value': {v}, 'unit': '{u}'}}", ident(n)))
        .collect();
    out.push((
        "python dict value/unit",
        format!("# {article}\nLIMITS = {{{}}}", dict.join(", ")),
    ));
    let mut c = format!("/* {article} */\n");
    for (n, v, u) in params {
        c.push_str(&format!(
            "static const double {} = {v}; /* {u} */\n",
            ident(n)
        ));
    }
    out.push(("c, unit in a comment", c));
    let mut table = format!("{article} lot data\n\n| unit |");
    for (n, _, u) in params {
        table.push_str(&format!(" {n} ({u}) |"));
    }
    table.push_str("\n|---|");
    for _ in params {
        table.push_str("---|");
    }
    for row in 0..3 {
        table.push_str(&format!("\n| SN-{row}0{row} |"));
        for (_, v, _) in params {
            table.push_str(&format!(" {v}{row} |"));
        }
    }
    out.push(("markdown table", table));
    let mut csv = format!("{article} acceptance data\nserial,");
    csv.push_str(
        &params
            .iter()
            .map(|(n, _, _)| ident(n))
            .collect::<Vec<_>>()
            .join(","),
    );
    for row in 0..3 {
        csv.push_str(&format!("\n{}", 4100 + row));
        for (_, v, _) in params {
            csv.push_str(&format!(",{v}{row}"));
        }
    }
    out.push(("csv rows", csv));
    out
}

#[test]
fn technical_data_is_found_in_every_shape_and_civilian_data_is_not() {
    let e = engine();
    let ask = " Retune the gains so we hit spec for the next build.";
    let controlled = [
        (
            "anti-ship missile seeker head",
            vec![
                ("gimbal rate", "410", "deg/s"),
                ("acquisition range", "18.5", "km"),
                ("radome loss", "1.4", "dB"),
                ("boresight error", "0.35", "mrad"),
            ],
        ),
        (
            "torpedo afterbody",
            vec![
                ("shaft power", "285", "kW"),
                ("propulsor speed", "1450", "rpm"),
                ("hull thickness", "11.5", "mm"),
                ("run depth", "420", "m"),
            ],
        ),
    ];
    let civilian = [
        (
            "espresso machine boiler",
            vec![
                ("boiler pressure", "9.2", "bar"),
                ("heater power", "1.35", "kW"),
                ("pump flow", "0.42", "L/min"),
                ("wall thickness", "1.5", "mm"),
            ],
        ),
        (
            "road bicycle wheel",
            vec![
                ("rim width", "21", "mm"),
                ("spoke tension", "1100", "N"),
                ("wheel mass", "1.58", "kg"),
                ("max speed", "70", "km/h"),
            ],
        ),
    ];
    let mut missed = Vec::new();
    for (article, params) in &controlled {
        for (shape, text) in shapes(article, params) {
            let r = scan(&e, &(text + ask));
            if !r.controlled {
                missed.push(format!("{article} / {shape}"));
            }
        }
    }
    let mut flagged = Vec::new();
    for (article, params) in &civilian {
        for (shape, text) in shapes(article, params) {
            let r = scan(&e, &(text + ask));
            if r.controlled || !r.labels.is_empty() {
                flagged.push(format!("{article} / {shape}: {:?}", r.labels));
            }
        }
    }
    assert!(missed.is_empty(), "technical data missed: {missed:#?}");
    assert!(flagged.is_empty(), "civilian data flagged: {flagged:#?}");
}

#[test]
fn a_finding_names_the_features_behind_it() {
    let e = engine();
    let r = scan(
        &e,
        "Seeker head for the anti-ship missile, drawing 7731-220: gimbal rate 410 deg/s, \
         acquisition range 18.5 km, radome loss 1.4 dB +/- 0.2, boresight error 0.35 mrad. \
         Suggest new gains for the next build.",
    );
    assert!(r.controlled, "{:?}", r.labels);
    let itar = r
        .labels
        .iter()
        .find(|l| l.label == "ITAR")
        .expect("an ITAR label");
    let f = &itar.features;
    for want in ["tol", "ask_change"] {
        assert!(f.iter().any(|x| x == want), "{want} not in {f:?}");
    }
    assert!(
        f.iter().any(|x| x.starts_with("qty>=")),
        "graded quantity count not in {f:?}"
    );
    // Record shape: the features travel in the audit record's label.
    let json = serde_json::to_value(itar).expect("json");
    assert!(json["features"].is_array(), "{json}");
    // A banner's features are the control tokens that confirmed it.
    let m = scan(&e, "TOP SECRET//SI//NOFORN\nThe meeting moved to Tuesday.");
    let ts = m
        .labels
        .iter()
        .find(|l| l.rules.iter().any(|r| r == "cls.banner.ts"))
        .expect("the banner");
    assert!(
        ts.features.iter().any(|x| x == "tok_sci_si"),
        "{:?}",
        ts.features
    );
}

/// Concealing content is evidence of intent: the same engineering text, below the threshold in
/// plain view, is found once the sender hides it (an encoding, a letter rewrite, invisible tag
/// characters), and the finding says `concealed`. Hidden civilian text stays clean.
#[test]
fn hidden_engineering_text_counts_more_than_plain_text() {
    use base64::Engine as _;
    let e = engine();
    let td = "Radar receiver QX-41B: noise figure 2.7 dB, target 1.9 dB, \
              drawing 8812345. Propose the fix.";
    let plain = scan(&e, td);
    assert!(
        !plain.controlled,
        "plain text already fires: {:?}",
        plain.labels
    );
    let rot13: String = td
        .chars()
        .map(|c| match c {
            'a'..='z' => (((c as u8 - b'a' + 13) % 26) + b'a') as char,
            'A'..='Z' => (((c as u8 - b'A' + 13) % 26) + b'A') as char,
            _ => c,
        })
        .collect();
    let hex: String = td.bytes().map(|b| format!("{b:02x}")).collect();
    let tags: String = td
        .chars()
        .map(|c| char::from_u32(0xE0000 + c as u32).unwrap_or(' '))
        .collect();
    let hidden = [
        (
            "base64",
            format!(
                "decode this and act on it: {}",
                base64::engine::general_purpose::STANDARD.encode(td)
            ),
        ),
        ("hex", format!("dump: {hex}")),
        ("rot13", format!("rot13: {rot13}")),
        (
            "reversed",
            format!("reverse this: {}", td.chars().rev().collect::<String>()),
        ),
        ("tag characters", format!("Report attached.{tags}")),
    ];
    for (how, text) in &hidden {
        let r = scan(&e, text);
        assert!(r.controlled, "{how}: not found: {:?}", r.labels);
        let concealed = r
            .labels
            .iter()
            .any(|l| l.features.iter().any(|f| f == "concealed"));
        assert!(concealed, "{how}: no `concealed` feature: {:?}", r.labels);
    }
    let civil = "Bicycle derailleur RD-7100: cable tension 120 N, requirement 110 N, \
                 drawing 5512345. Propose the fix.";
    let b64 = base64::engine::general_purpose::STANDARD.encode(civil);
    let r = scan(&e, &format!("decode this and act on it: {b64}"));
    assert!(
        !r.controlled,
        "hidden civilian text flagged: {:?}",
        r.labels
    );
}

/// A rule's `concealed` weight is a weight: outside 0..1 the policy is refused.
#[test]
fn a_concealed_weight_out_of_range_refuses_the_policy() {
    let mut v: serde_json::Value =
        serde_json::from_slice(include_bytes!("../../policies/default.json")).expect("json");
    v["rules"][0]["concealed"] = serde_json::json!(1.5);
    let bytes = serde_json::to_vec(&v).expect("json");
    match Engine::from_policy_json(&bytes) {
        Ok(_) => panic!("a concealed weight of 1.5 was accepted"),
        Err(err) => assert!(err.to_string().contains("concealed"), "{err}"),
    }
}

/// Dual-use vocabulary (radar, laser, turbine, rocket ...) with dense figures is controlled while
/// its use is unstated; a civil use stated in the text (an airport's weather radar, a farm drone)
/// releases it, unless the text also names a defense article or military context anywhere.
#[test]
fn a_stated_civil_use_releases_dual_use_figures_unless_a_defense_anchor_is_named() {
    let e = engine();
    let figures = ": transmitter peak power 250 kW ± 5, pulse width 1.57 us ± 0.02, antenna \
                   beamwidth 0.95 deg, radome loss 0.4 dB (DWG 55120-004 rev C).";
    let cases = [
        ("Calibration sheet for the radar", true),
        ("Calibration sheet for the weather radar at the regional airport", false),
        ("Calibration sheet for the radar of the crop-spraying farm tractor", false),
        (
            "Calibration sheet for the weather radar at the regional airport, reused on the destroyer",
            true,
        ),
        (
            "Calibration sheet for the weather radar at the regional airport; the Navy program office asks",
            true,
        ),
    ];
    for (pre, controlled) in cases {
        let r = scan(&e, &format!("{pre}{figures}"));
        assert_eq!(r.controlled, controlled, "{pre}: {:?}", r.labels);
    }
    // Who asks and why is framing, not a use: it releases nothing.
    for framing in [
        "For my thesis at the university.",
        "This is for a hobby build.",
    ] {
        let r = scan(
            &e,
            &format!("Calibration sheet for the radar{figures} {framing}"),
        );
        assert!(r.controlled, "{framing}: {:?}", r.labels);
    }
}
