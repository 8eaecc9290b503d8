//! A small, strict parser of the OpenMetrics text format, for tests of
//! `/metrics`: it refuses what a Prometheus scrape would refuse (and a bit
//! more), so a malformed exposition fails the test rather than a dashboard.
//! Checked: `# EOF` last and nothing after; no blank lines; every family
//! declared once with `# TYPE` before its samples, and contiguous; sample
//! names fit their family's type; label syntax, escapes and duplicates;
//! numeric values; counters non-negative; histogram buckets cumulative and
//! ending in `+Inf`, which equals `_count`; no series twice.

use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
    Info,
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn has_labels(&self, wanted: &[(&str, &str)]) -> bool {
        self.labels.len() == wanted.len() && wanted.iter().all(|(k, v)| self.label(k) == Some(*v))
    }
}

#[derive(Debug, Clone)]
pub struct Family {
    pub name: String,
    pub kind: Kind,
    pub help: String,
    pub samples: Vec<Sample>,
}

#[derive(Debug, Clone)]
pub struct Scrape {
    families: Vec<Family>,
}

impl Scrape {
    pub fn family(&self, name: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.name == name)
    }

    pub fn samples(&self) -> impl Iterator<Item = &Sample> {
        self.families.iter().flat_map(|f| &f.samples)
    }

    /// The value of the sample `name` whose labels are exactly `labels`.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.samples().find(|s| s.name == name && s.has_labels(labels)).map(|s| s.value)
    }

    pub fn parse(text: &str) -> Result<Scrape, String> {
        let body = text.strip_suffix("# EOF\n").or_else(|| text.strip_suffix("# EOF")).ok_or("no final # EOF")?;
        let mut families: Vec<Family> = Vec::new();
        let mut closed: HashSet<String> = HashSet::new();
        let mut series: HashSet<String> = HashSet::new();
        let mut typed: HashSet<String> = HashSet::new();
        for (n, line) in body.lines().enumerate() {
            let at = |e: String| format!("line {}: {e}: {line:?}", n + 1);
            if line.is_empty() || line.contains('\r') {
                return Err(at("blank line or carriage return".into()));
            }
            if let Some(meta) = line.strip_prefix("# ") {
                let mut parts = meta.splitn(3, ' ');
                let (what, name, rest) = (parts.next(), parts.next(), parts.next());
                let (Some(what), Some(name)) = (what, name) else { return Err(at("bad metadata".into())) };
                check_name(name).map_err(at)?;
                if families.last().is_none_or(|f| f.name != name) {
                    if !closed.insert(name.to_string()) {
                        return Err(at("family declared twice, or not contiguous".into()));
                    }
                    families.push(Family {
                        name: name.into(),
                        kind: Kind::Unknown,
                        help: String::new(),
                        samples: vec![],
                    });
                }
                let family = families.last_mut().expect("pushed above");
                if !family.samples.is_empty() {
                    return Err(at("metadata after samples".into()));
                }
                match (what, rest) {
                    ("TYPE", Some(kind)) if typed.insert(name.to_string()) => {
                        family.kind = match kind {
                            "counter" => Kind::Counter,
                            "gauge" => Kind::Gauge,
                            "histogram" => Kind::Histogram,
                            "info" => Kind::Info,
                            "unknown" => Kind::Unknown,
                            other => return Err(at(format!("unsupported type {other}"))),
                        }
                    }
                    ("HELP", Some(help)) if family.help.is_empty() => family.help = help.to_string(),
                    ("UNIT", Some(unit)) if name.ends_with(&format!("_{unit}")) => {}
                    _ => return Err(at("unknown, repeated or malformed metadata".into())),
                }
                continue;
            }
            if line.starts_with('#') {
                return Err(at("comment that is not HELP, TYPE or UNIT".into()));
            }
            let sample = parse_sample(line).map_err(at)?;
            let family = families.last_mut().filter(|f| typed.contains(&f.name));
            let family = family.ok_or_else(|| at("sample before its family's # TYPE".into()))?;
            let suffix =
                sample.name.strip_prefix(family.name.as_str()).ok_or_else(|| at("sample outside its family".into()))?;
            let allowed: &[&str] = match family.kind {
                Kind::Counter => &["_total", "_created"],
                Kind::Gauge | Kind::Unknown => &[""],
                Kind::Histogram => &["_bucket", "_count", "_sum", "_created"],
                Kind::Info => &["_info"],
            };
            if !allowed.contains(&suffix) {
                return Err(at(format!("suffix {suffix:?} doesn't fit a {:?}", family.kind)));
            }
            if (suffix == "_bucket") != sample.label("le").is_some() {
                return Err(at("le belongs on buckets, and only there".into()));
            }
            if family.kind == Kind::Counter && (sample.value.is_nan() || sample.value < 0.0) {
                return Err(at("negative or NaN counter".into()));
            }
            let mut key: Vec<_> = sample.labels.clone();
            key.sort();
            if !series.insert(format!("{}{key:?}", sample.name)) {
                return Err(at("the same series twice".into()));
            }
            family.samples.push(sample);
        }
        for f in &families {
            if f.kind == Kind::Histogram {
                check_histogram(f)?;
            }
        }
        Ok(Scrape { families })
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        Ok(())
    } else {
        Err(format!("bad metric name {name:?}"))
    }
}

fn parse_sample(line: &str) -> Result<Sample, String> {
    let name_end = line.find(['{', ' ']).ok_or("no value")?;
    let name = &line[..name_end];
    check_name(name)?;
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(mut inner) = rest.strip_prefix('{') {
        loop {
            if let Some(after) = inner.strip_prefix('}') {
                rest = after;
                break;
            }
            if !labels.is_empty() {
                inner = inner.strip_prefix(',').ok_or("labels not separated by a comma")?;
            }
            let eq = inner.find('=').ok_or("label without =")?;
            let key = &inner[..eq];
            let valid_key = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid_key {
                return Err(format!("bad label name {key:?}"));
            }
            let quoted = inner[eq + 1..].strip_prefix('"').ok_or("label value not quoted")?;
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next().ok_or("unterminated label value")? {
                    (i, '"') => break i,
                    (_, '\\') => match chars.next().ok_or("dangling escape")?.1 {
                        '\\' => value.push('\\'),
                        '"' => value.push('"'),
                        'n' => value.push('\n'),
                        other => return Err(format!("bad escape \\{other}")),
                    },
                    (_, '\n') => return Err("newline in a label value".into()),
                    (_, c) => value.push(c),
                }
            };
            if labels.iter().any(|(k, _): &(String, String)| k == key) {
                return Err(format!("label {key} twice"));
            }
            labels.push((key.to_string(), value));
            inner = &quoted[end + 1..];
        }
    }
    let rest = rest.strip_prefix(' ').ok_or("no space before the value")?;
    let mut fields = rest.split(' ');
    let value = parse_number(fields.next().ok_or("no value")?)?;
    if let Some(timestamp) = fields.next() {
        parse_number(timestamp)?;
    }
    if fields.next().is_some() {
        return Err("trailing text (exemplars are not expected)".into());
    }
    Ok(Sample { name: name.to_string(), labels, value })
}

fn parse_number(s: &str) -> Result<f64, String> {
    match s {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ if s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') => {
            s.parse::<f64>().map_err(|_| format!("not a number: {s:?}"))
        }
        _ => Err(format!("not a number: {s:?}")),
    }
}

type Labels = Vec<(String, String)>;

/// Per label set: buckets in increasing `le`, cumulative counts, `+Inf`
/// last and equal to `_count`; `_sum` present.
fn check_histogram(f: &Family) -> Result<(), String> {
    let mut groups: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
    let mut counts: BTreeMap<Labels, f64> = BTreeMap::new();
    let mut sums = HashSet::new();
    for s in &f.samples {
        let mut key: Vec<_> = s.labels.iter().filter(|(k, _)| k != "le").cloned().collect();
        key.sort();
        match s.name.strip_prefix(f.name.as_str()) {
            Some("_bucket") => {
                let le = parse_number(s.label("le").unwrap_or_default())?;
                groups.entry(key).or_default().push((le, s.value));
            }
            Some("_count") => {
                counts.insert(key, s.value);
            }
            Some("_sum") => {
                sums.insert(key);
            }
            _ => {}
        }
    }
    for (key, buckets) in &groups {
        let increasing = buckets.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1);
        let last = buckets.last().expect("a group has a bucket");
        if !increasing || last.0 != f64::INFINITY || counts.get(key) != Some(&last.1) || !sums.contains(key) {
            return Err(format!("{}: histogram {key:?} is inconsistent: {buckets:?}", f.name));
        }
    }
    if counts.len() != groups.len() {
        return Err(format!("{}: a _count without buckets", f.name));
    }
    Ok(())
}

#[test]
fn the_parser_is_strict() {
    let good = "# HELP a x\n# TYPE a counter\na_total{k=\"v\\\"\"} 1\n# TYPE h histogram\n\
                h_sum 1.5\nh_count 2\nh_bucket{le=\"1.0\"} 1\nh_bucket{le=\"+Inf\"} 2\n# EOF\n";
    let m = Scrape::parse(good).unwrap();
    assert_eq!(m.value("a_total", &[("k", "v\"")]), Some(1.0));
    for bad in [
        good.replace("# EOF\n", ""),
        good.replace("# EOF\n", "# EOF\nx 1\n"),
        good.replace("a_total{", "a{"),
        good.replace("} 1\n", "} -1\n"),
        good.replace("} 1\n", "} one\n"),
        good.replace("{k=\"v\\\"\"}", "{k=v}"),
        good.replace("{k=\"v\\\"\"}", "{k=\"v\",k=\"w\"}"),
        good.replace("h_count 2", "h_count 3"),
        good.replace("le=\"+Inf\"", "le=\"2.0\""),
        good.replace("# TYPE a counter\n", ""),
        good.replace("\nh_sum", "\n\nh_sum"),
        format!("{}a_total{{k=\"v\\\"\"}} 1\n# EOF\n", good.trim_end_matches("# EOF\n")),
    ] {
        assert!(Scrape::parse(&bad).is_err(), "accepted:\n{bad}");
    }
}
