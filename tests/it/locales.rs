//! The shipped locales against the code: every message id the code names
//! (`t!(lang, "id", var = …)`, the `plain_texts!` table in
//! `render/texts.rs` and the Mini App page's `page_texts!` table in
//! `render/app.rs`) exists in every locale, every variable a message uses
//! is one the code passes, formatting with those variables raises no Fluent
//! error, and no locale has a message the code never uses; and every text
//! the page's JavaScript asks for (`T("…")`) is one the server sends it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_bundle::{FluentArgs, FluentValue};
use fluent_syntax::ast;
use glean::render::i18n::{LOCALES, Lang, bundle};

/// One place the code names a message, with the variables it passes.
#[derive(Debug)]
struct Call {
    at: String,
    id: String,
    args: BTreeSet<String>,
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The source without comment lines (doc examples name no real message).
fn code_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level, comma-separated arguments of the call whose `(` ends
/// just before `s`; string literals may hold commas and brackets.
fn arguments(s: &str) -> Vec<String> {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    let mut parts = vec![String::new()];
    for c in s.chars() {
        if in_str {
            parts.last_mut().unwrap().push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        parts.last_mut().unwrap().push(c);
    }
    parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

fn calls() -> Vec<Call> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for file in rust_files(&root.join("src")) {
        let code = code_of(&file);
        let name = file.strip_prefix(root).unwrap().display().to_string();
        let mut rest = code.as_str();
        while let Some(i) = rest.find("t!(") {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + 3..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // assert!(, format!( …
            }
            let args = arguments(rest);
            let id = args.get(1).and_then(|a| a.strip_prefix('"')).and_then(|a| a.strip_suffix('"'));
            let Some(id) = id else { continue }; // the macro's own definition
            let vars = args[2..].iter().map(|a| a.split('=').next().unwrap().trim().to_string()).collect();
            out.push(Call { at: name.clone(), id: id.to_string(), args: vars });
        }
        if let Some(start) = code.find("plain_texts! {") {
            let block = &code[start..];
            let block = &block[..block.find("\n}").unwrap()];
            for line in block.lines().filter(|l| l.contains("=>") && !l.contains('$')) {
                let id = line.split('"').nth(1).expect("a message id in quotes");
                out.push(Call { at: name.clone(), id: id.to_string(), args: BTreeSet::new() });
            }
        }
        if let Some(start) = code.find("page_texts! {") {
            let block = &code[start..];
            let block = &block[..block.find("\n}").unwrap()];
            for line in block.lines().skip(1) {
                let Some(id) = line.split('"').nth(1) else { continue };
                let args = match line.split_once('(') {
                    Some((_, vars)) => vars
                        .trim_end_matches([',', ')', ' '])
                        .split(',')
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                        .collect(),
                    None => BTreeSet::new(),
                };
                out.push(Call { at: name.clone(), id: id.to_string(), args });
            }
        }
    }
    out
}

/// The page's JavaScript asks only for texts the server sends it, and
/// with the variables the message has.
#[test]
fn the_mini_app_page_asks_for_texts_the_server_sends() {
    let sent = glean::render::app::PAGE_TEXTS;
    assert!(sent.len() > 40, "{}", sent.len());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/app");
    let mut asked = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "js") {
            continue;
        }
        let code = std::fs::read_to_string(&path).unwrap();
        let mut rest = code.as_str();
        while let Some(i) = rest.find("T(") {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + 2..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let args = arguments(rest);
            let Some(first) = args.first() else { continue };
            // T(cond ? "a" : "b", …) names two.
            let ids: Vec<&str> = first.split('"').skip(1).step_by(2).collect();
            if ids.is_empty() {
                continue; // its own definition, T(id, vars)
            }
            let vars: BTreeSet<String> = args
                .get(1)
                .map(|v| {
                    v.trim_matches(['{', '}', ' '])
                        .split(',')
                        .map(|kv| kv.split(':').next().unwrap().trim().to_string())
                        .filter(|k| !k.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            for id in ids {
                asked.insert((id.to_string(), vars.clone(), path.file_name().unwrap().to_string_lossy().to_string()));
            }
        }
    }
    assert!(asked.len() > 40, "the scan finds the page's texts: {asked:?}");
    let mut problems = Vec::new();
    for (id, vars, file) in &asked {
        match sent.iter().find(|(sent_id, _)| sent_id.strip_prefix("app-") == Some(id.as_str())) {
            None => problems.push(format!("{file} asks for {id}, which the server doesn't send")),
            Some((_, needs)) => {
                let needs: BTreeSet<String> = needs.iter().map(|v| v.to_string()).collect();
                if &needs != vars {
                    problems.push(format!("{file}: {id} takes {needs:?}, given {vars:?}"));
                }
            }
        }
    }
    for (id, _) in sent {
        if !asked.iter().any(|(a, _, _)| Some(a.as_str()) == id.strip_prefix("app-"))
            && !["app-title", "app-loading"].contains(id)
        {
            problems.push(format!("the server sends {id}, which the page never asks for"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every variable a pattern uses, in any variant and through message
/// references.
fn variables<'a>(
    p: &'a ast::Pattern<&'a str>,
    messages: &BTreeMap<&str, &'a ast::Message<&'a str>>,
) -> BTreeSet<String> {
    fn inline<'a>(
        e: &'a ast::InlineExpression<&'a str>,
        messages: &BTreeMap<&str, &'a ast::Message<&'a str>>,
        out: &mut BTreeSet<String>,
    ) {
        match e {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline(a, messages, out);
                }
                for a in &arguments.named {
                    inline(&a.value, messages, out);
                }
            }
            ast::InlineExpression::MessageReference { id, .. } => {
                if let Some(v) = messages.get(id.name).and_then(|m| m.value.as_ref()) {
                    out.extend(variables(v, messages));
                }
            }
            ast::InlineExpression::Placeable { expression } => expr(expression, messages, out),
            _ => {}
        }
    }
    fn expr<'a>(
        e: &'a ast::Expression<&'a str>,
        messages: &BTreeMap<&str, &'a ast::Message<&'a str>>,
        out: &mut BTreeSet<String>,
    ) {
        match e {
            ast::Expression::Inline(i) => inline(i, messages, out),
            ast::Expression::Select { selector, variants } => {
                inline(selector, messages, out);
                for v in variants {
                    out.extend(variables(&v.value, messages));
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            expr(expression, messages, &mut out);
        }
    }
    out
}

#[test]
fn every_locale_has_every_message_with_the_variables_the_code_passes() {
    let calls = calls();
    assert!(calls.len() > 200, "the scan finds the code's messages: {}", calls.len());
    let used: BTreeSet<&str> = calls.iter().map(|c| c.id.as_str()).collect();
    assert!(used.contains("welcome") && used.contains("card-left") && used.contains("err-phone"), "{used:?}");
    assert!(LOCALES.len() >= 3 && LOCALES[0].code == "en", "English first, then the others");
    let mut problems = Vec::new();
    for locale in LOCALES {
        let resource = match fluent_syntax::parser::parse(locale.ftl) {
            Ok(r) => r,
            Err((_, errors)) => panic!("{}: syntax errors {errors:?}", locale.code),
        };
        let mut messages: BTreeMap<&str, &ast::Message<&str>> = BTreeMap::new();
        for entry in &resource.body {
            if let ast::Entry::Message(m) = entry
                && messages.insert(m.id.name, m).is_some()
            {
                problems.push(format!("{}: {} is defined twice", locale.code, m.id.name));
            }
        }
        let b = bundle(locale);
        for call in &calls {
            let Some(pattern) = messages.get(call.id.as_str()).and_then(|m| m.value.as_ref()) else {
                problems.push(format!("{}: no message {} (used in {})", locale.code, call.id, call.at));
                continue;
            };
            let needs = variables(pattern, &messages);
            for missing in needs.difference(&call.args) {
                problems.push(format!("{}: {} uses ${missing}, which {} doesn't pass", locale.code, call.id, call.at));
            }
            // Format with the variables given, numbers and words alike.
            for value in [FluentValue::from(1), FluentValue::from(3), FluentValue::from(25), FluentValue::from("x")] {
                let mut args = FluentArgs::new();
                for a in &call.args {
                    args.set(a.as_str(), value.clone());
                }
                let mut errors = Vec::new();
                let msg = b.get_message(&call.id).and_then(|m| m.value()).expect("checked above");
                let text = b.format_pattern(msg, Some(&args), &mut errors);
                if !errors.is_empty() {
                    problems.push(format!("{}: {} formats with errors {errors:?}", locale.code, call.id));
                }
                if text.contains(['\u{2068}', '\u{2069}']) {
                    problems.push(format!("{}: {} has isolation marks", locale.code, call.id));
                }
            }
        }
        for id in messages.keys().filter(|id| !used.contains(*id)) {
            problems.push(format!("{}: {id} is never used by the code", locale.code));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// Plurals the Fluent way: German one/other, Ukrainian one/few/many.
#[test]
fn plurals_follow_each_language() {
    let de = Lang::from_code("de").unwrap();
    let uk = Lang::from_code("uk").unwrap();
    let left = |l: Lang, n: u32| glean::render::texts::units_left(l, n);
    assert_eq!(left(Lang::EN, 1), "1 left");
    assert_eq!(left(de, 1), "1 Einheit übrig");
    assert_eq!(left(de, 3), "3 Einheiten übrig");
    assert_eq!(left(uk, 1), "залишилася 1 одиниця");
    assert_eq!(left(uk, 3), "залишилося 3 одиниці");
    assert_eq!(left(uk, 5), "залишилося 5 одиниць");
    assert_eq!(left(uk, 11), "залишилося 11 одиниць");
    assert_eq!(left(uk, 21), "залишилася 21 одиниця");
    assert_eq!(left(uk, 22), "залишилося 22 одиниці");
}
