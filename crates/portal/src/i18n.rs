//! The portal's languages: US English and Canadian French, as the source platform offers them.
//!
//! Every word a page shows comes from the Fluent catalogues under `locales/` (one file per area,
//! the same files in each language), compiled into the binary. A request's language is chosen
//! once, at the edge: the signed-in user's own setting, else the `sb_lang` cookie the switcher
//! sets, else the browser's `Accept-Language`, else US English. It is held for the request's task
//! (`scope`), so a page reads it with `t("id")` wherever it builds text.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The cookie the language switcher sets (for the login page, and before a user has a setting).
pub const LANG_COOKIE: &str = "sb_lang";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    EnUs,
    FrCa,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::EnUs, Lang::FrCa];

    /// The BCP 47 tag: `lang` on the page, the user's setting in the API.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::EnUs => "en-US",
            Lang::FrCa => "fr-CA",
        }
    }

    /// The language's own name, as the switcher offers it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::EnUs => "English",
            Lang::FrCa => "Français",
        }
    }

    /// A tag or a bare language: any French is Canadian French here, any English US English.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::EnUs),
            "fr" => Some(Lang::FrCa),
            _ => None,
        }
    }

    /// The best of an `Accept-Language` header, by its q-values (first wins a tie).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::parse) else {
                continue;
            };
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    fn index(self) -> usize {
        match self {
            Lang::EnUs => 0,
            Lang::FrCa => 1,
        }
    }
}

tokio::task_local! {
    static LANG: Cell<Lang>;
}

/// Run `f` with `lang` as the language of everything it renders.
pub async fn scope<F: std::future::Future>(lang: Lang, f: F) -> F::Output {
    LANG.scope(Cell::new(lang), f).await
}

/// The language of the page being rendered (US English outside a request).
pub fn current() -> Lang {
    LANG.try_with(Cell::get).unwrap_or(Lang::EnUs)
}

/// Change the language for the rest of this request (once the user's own setting is known).
pub fn set(lang: Lang) {
    let _ = LANG.try_with(|l| l.set(lang));
}

/// The catalogue files, by area; each exists in every language.
macro_rules! catalogue {
    ($($area:literal),* $(,)?) => {
        pub(crate) const FILES: &[(&str, [&str; 2])] = &[$(
            ($area, [
                include_str!(concat!("../locales/en-US/", $area, ".ftl")),
                include_str!(concat!("../locales/fr-CA/", $area, ".ftl")),
            ]),
        )*];
    };
}
catalogue!(
    "common",
    "login",
    "labels",
    "errors",
    "home",
    "users",
    "call_center",
    "call_history",
    "settings",
    "organization",
    "account",
    "provider",
    "reports",
);

struct Catalogue {
    bundles: Vec<FluentBundle<FluentResource>>,
    /// Messages without variables, formatted once: `t` hands them out as `&'static str`.
    plain: Vec<HashMap<String, &'static str>>,
}

/// The ids of a catalogue file's messages (lines `id = …` at the start of a line).
pub(crate) fn ids(ftl: &str) -> impl Iterator<Item = &str> {
    ftl.lines().filter_map(|line| {
        let (id, _) = line.split_once('=')?;
        let id = id.trim_end();
        let starts = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        (starts
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .then_some(id)
    })
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut bundles = Vec::new();
    let mut plain = Vec::new();
    for lang in Lang::ALL {
        let tag = lang.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![tag]);
        // Isolation marks would show as stray characters in form values and CSV names.
        bundle.set_use_isolating(false);
        let mut texts = HashMap::new();
        for (area, files) in FILES {
            let source = files[lang.index()];
            let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, e)| {
                tracing::error!(area, lang = lang.tag(), errors = ?e, "a catalogue file has errors");
                r
            });
            if let Err(e) = bundle.add_resource(resource) {
                tracing::error!(area, lang = lang.tag(), errors = ?e, "a message is defined twice");
            }
            for id in ids(source) {
                let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                    continue;
                };
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, None, &mut errors);
                if errors.is_empty() {
                    texts.insert(
                        id.to_owned(),
                        &*Box::leak(text.into_owned().into_boxed_str()),
                    );
                }
            }
        }
        bundles.push(bundle);
        plain.push(texts);
    }
    Catalogue { bundles, plain }
});

/// A message without variables in the current language; US English if the language lacks it
/// (the catalogue test keeps that from happening), the id itself if no language has it.
pub fn t(id: &'static str) -> &'static str {
    lookup(id).unwrap_or(id)
}

/// A message whose id is made at run time (a code's label); `None` when no language has it.
pub fn lookup(id: &str) -> Option<&'static str> {
    let c = &*CATALOGUE;
    c.plain[current().index()]
        .get(id)
        .or_else(|| c.plain[Lang::EnUs.index()].get(id))
        .copied()
}

/// The label of a field the API names (`caller_id`, `action.to`, `keys[1]`): the catalogue's
/// `field-action-to`, else that of the field it is part of (`field-action`).
pub fn field_label(field: &str) -> Option<&'static str> {
    let key = field
        .split(['.', '['])
        .collect::<Vec<_>>()
        .join("-")
        .replace(']', "");
    lookup(&format!("field-{key}")).or_else(|| {
        let whole = field.split(['.', '[']).next().unwrap_or(field);
        lookup(&format!("field-{whole}"))
    })
}

/// A scope's name in the current language.
pub fn scope_label(scope: switchboard_domain::Scope) -> &'static str {
    lookup(&format!("scope-{}", scope.as_str())).unwrap_or(scope.label())
}

/// A layout's name in the current language.
pub fn layout_label(layout: switchboard_policy::Layout) -> &'static str {
    lookup(&format!("layout-{}", layout.name())).unwrap_or(layout.label())
}

/// A tab's name in the current language.
pub fn tab_label(tab: switchboard_policy::Tab) -> &'static str {
    lookup(&format!("tab-{}", tab.name())).unwrap_or(tab.label())
}

/// A message with variables: `tf("calls-count", &[("count", n.into())])`.
pub fn tf(id: &str, args: &[(&str, FluentValue)]) -> String {
    let c = &*CATALOGUE;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    [current(), Lang::EnUs]
        .into_iter()
        .find_map(|lang| {
            let bundle = &c.bundles[lang.index()];
            let pattern = bundle.get_message(id)?.value()?;
            let mut errors = Vec::new();
            Some(
                bundle
                    .format_pattern(pattern, Some(&fluent_args), &mut errors)
                    .into_owned(),
            )
        })
        .unwrap_or_else(|| id.to_owned())
}

/// A text argument for `tf`.
pub fn arg(value: impl std::fmt::Display) -> FluentValue<'static> {
    FluentValue::from(value.to_string())
}

/// A whole number as the language writes it: 12,345 (en-US), 12 345 (fr-CA).
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let separator = match current() {
        Lang::EnUs => ",",
        Lang::FrCa => "\u{a0}",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A decimal with `places` after the point: 12.5 (en-US), 12,5 (fr-CA).
pub fn decimal(v: f64, places: usize) -> String {
    let text = format!("{v:.places$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole = whole
        .parse::<i64>()
        .map(number)
        .unwrap_or_else(|_| whole.to_owned());
    let whole = if v < 0.0 && !whole.starts_with('-') {
        format!("-{whole}")
    } else {
        whole
    };
    match (fraction.is_empty(), current()) {
        (true, _) => whole,
        (false, Lang::EnUs) => format!("{whole}.{fraction}"),
        (false, Lang::FrCa) => format!("{whole},{fraction}"),
    }
}

/// A percentage: 85% (en-US), 85 % (fr-CA).
pub fn percent(v: f64) -> String {
    let places = if v.fract().abs() < 0.05 { 0 } else { 1 };
    match current() {
        Lang::EnUs => format!("{}%", decimal(v, places)),
        Lang::FrCa => format!("{}\u{a0}%", decimal(v, places)),
    }
}

/// An amount in cents with its currency, as each language writes it: $1,234.50 and CA$1,234.50;
/// 1 234,50 $ US and 1 234,50 $; other currencies by their code.
pub fn money(cents: i64, currency: &str) -> String {
    let amount = decimal(cents as f64 / 100.0, 2);
    match (current(), currency) {
        (Lang::EnUs, "USD") => format!("${amount}"),
        (Lang::EnUs, "CAD") => format!("CA${amount}"),
        (Lang::EnUs, _) => format!("{amount} {currency}"),
        (Lang::FrCa, "CAD") => format!("{amount}\u{a0}$"),
        (Lang::FrCa, "USD") => format!("{amount}\u{a0}$\u{a0}US"),
        (Lang::FrCa, _) => format!("{amount}\u{a0}{currency}"),
    }
}

/// A date and time on a zone's clock, as the language writes it, with the zone's abbreviation.
pub fn date_time(at: &jiff::Zoned) -> String {
    match current() {
        Lang::EnUs => at.strftime("%b %-d, %Y, %-I:%M:%S %p %Z").to_string(),
        Lang::FrCa => format!(
            "{}, {}",
            date(at.date()),
            at.strftime("%H\u{a0}h\u{a0}%M\u{a0}min\u{a0}%S\u{a0}s %Z")
        ),
    }
}

/// A day, as the language writes it: Dec 3, 2026 / 3 déc. 2026.
pub fn date(day: jiff::civil::Date) -> String {
    const FR_MONTHS: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juill.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    match current() {
        Lang::EnUs => day.strftime("%b %-d, %Y").to_string(),
        Lang::FrCa => {
            let month = FR_MONTHS[usize::try_from(day.month() - 1).unwrap_or(0)];
            format!("{} {month} {}", day.day(), day.year())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_takes_the_best_known_language() {
        assert_eq!(
            Lang::from_accept_language("fr-CA,fr;q=0.9,en;q=0.8"),
            Some(Lang::FrCa)
        );
        assert_eq!(
            Lang::from_accept_language("de-DE,en;q=0.5,fr;q=0.7"),
            Some(Lang::FrCa)
        );
        assert_eq!(Lang::from_accept_language("en-GB"), Some(Lang::EnUs));
        assert_eq!(Lang::from_accept_language("de, fr;q=0"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn numbers_money_and_dates_are_written_as_each_language_writes_them() {
        let day = jiff::civil::date(2026, 12, 3);
        let at = day
            .at(13, 21, 5, 0)
            .to_zoned(jiff::tz::TimeZone::get("America/Toronto").unwrap())
            .unwrap();
        let en = (
            number(1234567),
            money(25500, "USD"),
            percent(85.0),
            date_time(&at),
        );
        assert_eq!(en.0, "1,234,567");
        assert_eq!(en.1, "$255.00");
        assert_eq!(en.2, "85%");
        assert_eq!(en.3, "Dec 3, 2026, 1:21:05 PM EST");
        let fr = tokio_test_scope(Lang::FrCa, || {
            (
                number(1234567),
                money(25500, "CAD"),
                percent(85.0),
                date_time(&at),
                decimal(-0.5, 1),
            )
        });
        assert_eq!(fr.0, "1\u{a0}234\u{a0}567");
        assert_eq!(fr.1, "255,00\u{a0}$");
        assert_eq!(fr.2, "85\u{a0}%");
        assert_eq!(
            fr.3,
            "3 déc. 2026, 13\u{a0}h\u{a0}21\u{a0}min\u{a0}05\u{a0}s EST"
        );
        assert_eq!(fr.4, "-0,5");
    }

    /// Every message a page asks for by id (`t("…")`, `tf("…", …)`) is in the catalogue: a typo
    /// would show the id itself.
    #[test]
    fn every_id_the_pages_ask_for_is_catalogued() {
        fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut texts = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut texts,
        );
        let known: std::collections::HashSet<&str> =
            FILES.iter().flat_map(|(_, [en, _])| ids(en)).collect();
        let mut asked = 0;
        let mut unknown = Vec::new();
        for text in &texts {
            for call in ["t(\"", "tf(\""] {
                for (at, _) in text.match_indices(call) {
                    let before = text[..at].chars().last().unwrap_or(' ');
                    if before.is_alphanumeric() || before == '_' {
                        continue;
                    }
                    let rest = &text[at + call.len()..];
                    let id = &rest[..rest.find('"').unwrap_or(0)];
                    // This test's own comment.
                    if id == "…" {
                        continue;
                    }
                    asked += 1;
                    if !known.contains(id) && id != "id" && id != "calls-count" {
                        unknown.push(id.to_owned());
                    }
                }
            }
        }
        assert!(asked > 500, "the scan found only {asked} ids");
        assert!(unknown.is_empty(), "not in the catalogue: {unknown:?}");
    }

    fn tokio_test_scope<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
        LANG.sync_scope(Cell::new(lang), f)
    }

    /// Every message exists in both languages, with the same variables: a page never falls back
    /// to English in French, nor shows an id.
    #[test]
    fn every_message_is_in_both_languages_with_the_same_variables() {
        let variables = |ftl: &str, id: &str| -> Vec<String> {
            let line = ftl
                .lines()
                .find(|l| l.split_once('=').is_some_and(|(k, _)| k.trim_end() == id))
                .unwrap_or("");
            let mut vars: Vec<String> = line
                .split("{ $")
                .skip(1)
                .filter_map(|rest| rest.split([' ', '}']).next())
                .map(str::to_owned)
                .collect();
            vars.sort();
            vars.dedup();
            vars
        };
        let mut problems = Vec::new();
        for (area, [en, fr]) in FILES {
            let en_ids: Vec<&str> = ids(en).collect();
            let fr_ids: Vec<&str> = ids(fr).collect();
            for id in &en_ids {
                if !fr_ids.contains(id) {
                    problems.push(format!("{area}: {id} is in en-US, not in fr-CA"));
                } else if variables(en, id) != variables(fr, id) {
                    problems.push(format!("{area}: {id} has other variables in fr-CA"));
                }
            }
            for id in fr_ids.iter().filter(|id| !en_ids.contains(id)) {
                problems.push(format!("{area}: {id} is in fr-CA, not in en-US"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // And every file parses, with no id defined twice.
        for lang in Lang::ALL {
            let mut seen = std::collections::HashSet::new();
            for (area, files) in FILES {
                let source = files[lang.index()];
                assert!(
                    FluentResource::try_new(source.to_owned()).is_ok(),
                    "{area} ({lang:?}) does not parse"
                );
                for id in ids(source) {
                    assert!(seen.insert(id), "{id} is defined twice in {lang:?}");
                }
            }
        }
    }
}
