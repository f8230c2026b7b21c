//! A small SQL builder with `$n` placeholders (accepted by SQLite and PostgreSQL alike), and the
//! translation of the policy's visibility predicate into a WHERE clause.

use sqlx::any::AnyRow;
use sqlx::{Any, Row};
use switchboard_policy::{Atom, Predicate};

#[derive(Clone, Debug)]
pub(crate) enum Value {
    I64(i64),
    Text(String),
    NullI64,
    NullText,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::I64(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::I64(i64::from(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::NullI64, Value::I64)
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::NullText, Value::Text)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Value::NullText, |s| Value::Text(s.to_owned()))
    }
}

/// Turns one row into a value, whichever path fetched it.
pub(crate) type Decoder<T> = fn(&dyn Columns) -> Result<T, sqlx::Error>;

#[derive(Clone, Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    /// The bound values, in placeholder order.
    pub(crate) args: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append a placeholder and bind a value to it.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.args.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.args.len().to_string());
        self
    }

    /// Append `(…, …)` with one placeholder per value.
    pub fn bind_list(&mut self, values: impl IntoIterator<Item = i64>) -> &mut Self {
        self.text.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self.text.push(')');
        self
    }

    /// Append ` VALUES (…), (…)`: one row of placeholders per row of values. Bound values are
    /// read as they are, where a JSON row would be parsed again for every column.
    ///
    /// On SQLite, when nothing was bound before, the placeholders are plain `?`: sqlx looks every
    /// named one up by number, which walks a list and makes a thousand-row insert quadratic.
    /// (SQLite numbers `?` after the largest number so far and sqlx counts them from one, so the
    /// two agree only while no `$n` precedes them; a `$n` after them numbers correctly.)
    pub fn push_values<R: IntoIterator<Item = Value>>(
        &mut self,
        backend: crate::Backend,
        rows: impl IntoIterator<Item = R>,
    ) -> &mut Self {
        let positional = backend == crate::Backend::Sqlite && self.args.is_empty();
        self.text.push_str(" VALUES ");
        for (i, row) in rows.into_iter().enumerate() {
            self.text.push_str(if i > 0 { ", (" } else { "(" });
            for (j, value) in row.into_iter().enumerate() {
                if j > 0 {
                    self.text.push_str(", ");
                }
                if positional {
                    self.args.push(value);
                    self.text.push('?');
                } else {
                    self.bind(value);
                }
            }
            self.text.push(')');
        }
        self
    }

    /// The one row this query finds; `NotFound` when there is none (missing or not visible).
    pub async fn fetch_found<'e, E>(&self, executor: E) -> crate::Result<AnyRow>
    where
        E: sqlx::Executor<'e, Database = Any>,
    {
        self.query()
            .fetch_optional(executor)
            .await?
            .ok_or(crate::StoreError::NotFound)
    }

    pub fn query(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments<'_>> {
        self.query_for::<Any>()
    }

    /// The statement for one database's own driver (bulk ingestion on PostgreSQL, `pg_copy`).
    pub fn query_for<'q, DB>(&'q self) -> sqlx::query::Query<'q, DB, DB::Arguments<'q>>
    where
        DB: sqlx::Database,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let mut query = sqlx::query::<DB>(&self.text);
        for arg in &self.args {
            query = match arg {
                Value::I64(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.as_str()),
                Value::NullI64 => query.bind(None::<i64>),
                Value::NullText => query.bind(None::<String>),
            };
        }
        query
    }
}

/// The items in slices for multi-row statements: as many of `max` as fit, then the rest in
/// halving powers of two. sqlx keeps each distinct statement text prepared, and preparing a
/// thousand-row insert costs as much as running it: this way a table has at most a dozen texts.
pub(crate) fn bulk_chunks<T>(items: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = if rest.len() >= max {
            max
        } else {
            1 << rest.len().ilog2()
        };
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
}

/// How the atoms of a predicate apply to one table. `None` means the table has no such
/// relation, and the atom then matches nothing (deny by default).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scoping {
    /// An SQL expression for the row's reseller id.
    pub reseller: Option<&'static str>,
    pub domain: Option<&'static str>,
    /// An SQL condition template on the site, `{}` being the bound site id.
    pub site: Option<&'static str>,
    /// An SQL condition template on the user the row is or belongs to, `{}` being its id.
    pub owner: Option<&'static str>,
    /// An SQL condition template on the queue set, `{}` being the `(…)` list of queue ids.
    pub queues: Option<&'static str>,
    pub shared: Option<&'static str>,
}

impl Scoping {
    pub const NONE: Scoping = Scoping {
        reseller: None,
        domain: None,
        site: None,
        owner: None,
        queues: None,
        shared: None,
    };
}

/// Append `(atom OR atom …)` for the predicate; an empty predicate is `1 = 0`.
pub(crate) fn push_predicate(sql: &mut Sql, predicate: &Predicate, scoping: &Scoping) {
    if predicate.is_nothing() {
        sql.push("1 = 0");
        return;
    }
    sql.push("(");
    for (i, atom) in predicate.0.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        push_atom(sql, atom, scoping);
    }
    sql.push(")");
}

fn push_atom(sql: &mut Sql, atom: &Atom, scoping: &Scoping) {
    let nothing = "1 = 0";
    match atom {
        Atom::All => {
            sql.push("1 = 1");
        }
        Atom::Reseller(reseller) => match scoping.reseller {
            Some(expr) => {
                sql.push(expr).push(" = ").bind(reseller.get());
            }
            None => {
                sql.push(nothing);
            }
        },
        Atom::Domain(domain) => match scoping.domain {
            Some(col) => {
                sql.push(col).push(" = ").bind(domain.get());
            }
            None => {
                sql.push(nothing);
            }
        },
        Atom::Site(domain, site) => match (scoping.domain, scoping.site) {
            (Some(col), Some(template)) => {
                sql.push("(")
                    .push(col)
                    .push(" = ")
                    .bind(domain.get())
                    .push(" AND ");
                push_template(sql, template, |sql| {
                    sql.bind(site.get());
                });
                sql.push(")");
            }
            _ => {
                sql.push(nothing);
            }
        },
        Atom::Queues(domain, queues) => match (scoping.domain, scoping.queues) {
            (Some(col), Some(template)) if !queues.is_empty() => {
                sql.push("(")
                    .push(col)
                    .push(" = ")
                    .bind(domain.get())
                    .push(" AND ");
                push_template(sql, template, |sql| {
                    sql.bind_list(queues.iter().map(|q| q.get()));
                });
                sql.push(")");
            }
            _ => {
                sql.push(nothing);
            }
        },
        Atom::Owner(user) => match scoping.owner {
            Some(template) => push_template(sql, template, |sql| {
                sql.bind(user.get());
            }),
            None => {
                sql.push(nothing);
            }
        },
        Atom::Shared(domain) => match (scoping.domain, scoping.shared) {
            (Some(col), Some(shared)) => {
                sql.push("(").push(col).push(" = ").bind(domain.get());
                sql.push(" AND ").push(shared).push(" = 1)");
            }
            _ => {
                sql.push(nothing);
            }
        },
    }
}

/// Append a template, binding the value(s) anew at each `{}` in it.
fn push_template(sql: &mut Sql, template: &str, mut bind: impl FnMut(&mut Sql)) {
    let mut parts = template.split("{}");
    if let Some(first) = parts.next() {
        sql.push(first);
    }
    for part in parts {
        bind(sql);
        sql.push(part);
    }
}

/// Append the keyset condition and the page size (one more row than asked, to know if more follow).
pub(crate) fn push_page(sql: &mut Sql, id_column: &str, page: crate::PageRequest) {
    if let Some(after) = page.after {
        sql.push(" AND ").push(id_column).push(" > ").bind(after);
    }
    sql.push(" ORDER BY ").push(id_column).push(" LIMIT ");
    sql.bind(i64::from(page.limit) + 1);
}

/// `push_page` read backwards: the highest ids first, the cursor the last id shown.
pub(crate) fn push_page_newest_first(sql: &mut Sql, id_column: &str, page: crate::PageRequest) {
    if let Some(after) = page.after {
        sql.push(" AND ").push(id_column).push(" < ").bind(after);
    }
    sql.push(" ORDER BY ").push(id_column).push(" DESC LIMIT ");
    sql.bind(i64::from(page.limit) + 1);
}

/// Cut the extra row and compute the cursor.
pub(crate) fn into_page<T>(
    mut items: Vec<T>,
    page: crate::PageRequest,
    id: impl Fn(&T) -> i64,
) -> crate::Page<T> {
    let limit = page.limit as usize;
    let more = items.len() > limit;
    items.truncate(limit);
    let next_after = if more { items.last().map(id) } else { None };
    crate::Page { items, next_after }
}

/// SQLite `GLOB` pattern for a case-blind contains-search: each letter as a class of its two
/// cases (`[éÉ]`), which SQLite's `lower()` and `LIKE` know only for ASCII; GLOB's own
/// wildcards in the input are matched as themselves.
pub(crate) fn contains_glob(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() * 4 + 2);
    out.push('*');
    for c in needle.chars() {
        let lower: Vec<char> = c.to_lowercase().collect();
        let upper: Vec<char> = c.to_uppercase().collect();
        match (lower.as_slice(), upper.as_slice()) {
            ([l], [u]) if l != u => {
                out.push('[');
                out.push(*l);
                out.push(*u);
                out.push(']');
            }
            _ if matches!(c, '*' | '?' | '[') => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out.push('*');
    out
}

/// `LIKE` pattern for a contains-search, with the wildcards of the input escaped.
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A result row, fetched through sqlx or (reads on a SQLite file, see `native`) straight from
/// SQLite: decoders read columns by name through this, whichever path fetched the row.
pub(crate) trait Columns {
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, sqlx::Error>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, sqlx::Error>;
}

impl Columns for AnyRow {
    fn opt_i64(&self, col: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get::<Option<i64>, _>(col)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get::<Option<String>, _>(col)
    }
}

fn not_null<T>(col: &str, v: Option<T>) -> Result<T, sqlx::Error> {
    v.ok_or_else(|| sqlx::Error::Decode(format!("column {col}: unexpected NULL").into()))
}

pub(crate) fn get_i64(row: &(impl Columns + ?Sized), col: &str) -> Result<i64, sqlx::Error> {
    not_null(col, row.opt_i64(col)?)
}
pub(crate) fn get_opt_i64(
    row: &(impl Columns + ?Sized),
    col: &str,
) -> Result<Option<i64>, sqlx::Error> {
    row.opt_i64(col)
}
pub(crate) fn get_text(row: &(impl Columns + ?Sized), col: &str) -> Result<String, sqlx::Error> {
    not_null(col, row.opt_text(col)?)
}
pub(crate) fn get_opt_text(
    row: &(impl Columns + ?Sized),
    col: &str,
) -> Result<Option<String>, sqlx::Error> {
    row.opt_text(col)
}

/// Turn a stored value that no longer parses into an error rather than a panic.
pub(crate) fn parsed<T, E: std::fmt::Display>(
    col: &str,
    r: Result<T, E>,
) -> Result<T, sqlx::Error> {
    r.map_err(|e| sqlx::Error::Decode(format!("column {col}: {e}").into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn bulk_chunks_cover_the_items_in_few_sizes(len in 0usize..10_000, max_log in 0u32..12) {
            let max = 1usize << max_log;
            let items: Vec<usize> = (0..len).collect();
            let chunks: Vec<&[usize]> = bulk_chunks(&items, max).collect();
            let joined: Vec<usize> = chunks.concat();
            prop_assert_eq!(&joined, &items);
            let mut sizes: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
            prop_assert!(sizes.iter().all(|&n| n >= 1 && n <= max && n.is_power_of_two()));
            sizes.dedup();
            prop_assert!(sizes.len() <= max_log as usize + 1);
        }
    }

    #[test]
    fn values_are_positional_on_sqlite_only_when_nothing_was_bound_before() {
        let rows = [
            [Value::from(1), Value::from("a")],
            [Value::from(2), Value::from("b")],
        ];
        let mut fresh = Sql::new("INSERT INTO t (n, s)");
        fresh.push_values(crate::Backend::Sqlite, rows.clone());
        assert_eq!(fresh.text, "INSERT INTO t (n, s) VALUES (?, ?), (?, ?)");
        fresh.push(" WHERE x = ").bind(5);
        assert!(fresh.text.ends_with("x = $5"));
        let mut after = Sql::new("SELECT ");
        after
            .bind(0)
            .push_values(crate::Backend::Sqlite, rows.clone());
        assert_eq!(after.text, "SELECT $1 VALUES ($2, $3), ($4, $5)");
        let mut pg = Sql::new("INSERT INTO t (n, s)");
        pg.push_values(crate::Backend::Postgres, rows);
        assert_eq!(pg.text, "INSERT INTO t (n, s) VALUES ($1, $2), ($3, $4)");
    }
}
