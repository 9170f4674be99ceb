//! The benchmark evaluation loop: read a watchlist and queries (JSON
//! lines), screen every query, return per-query results in the format of
//! `bench/score.py`. The caller supplies the clock, so this stays pure.

use std::io::BufRead;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tansiq_model::{Entity, Properties, Schema};

use crate::{Index, MatchingError, Query};

/// One benchmark query: only `qid`, `schema` and `properties` are read.
#[derive(Clone, Debug)]
pub struct EvalQuery {
    pub qid: String,
    pub query: Query,
}

/// One result line: `{"qid", "matches": [{"id", "score"}…], "elapsed_us"}`.
#[derive(Clone, Debug, Serialize)]
pub struct EvalResult {
    pub qid: String,
    pub matches: Vec<EvalMatch>,
    pub elapsed_us: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct EvalMatch {
    pub id: String,
    pub score: f64,
}

impl EvalResult {
    /// The JSON line (without newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn lines(
    reader: impl BufRead,
    what: &'static str,
) -> impl Iterator<Item = Result<(usize, String), MatchingError>> {
    reader
        .lines()
        .enumerate()
        .filter_map(move |(i, l)| match l {
            Ok(l) if l.trim().is_empty() => None,
            Ok(l) => Some(Ok((i + 1, l))),
            Err(source) => Some(Err(MatchingError::Read {
                what,
                line: i + 1,
                source,
            })),
        })
}

/// Reads FtM entities, one JSON object a line.
pub fn read_watchlist(reader: impl BufRead) -> Result<Vec<Entity>, MatchingError> {
    let mut out = Vec::new();
    for l in lines(reader, "watchlist") {
        let (line, text) = l?;
        let e: Entity = serde_json::from_str(&text).map_err(|e| MatchingError::BadLine {
            what: "watchlist",
            line,
            message: e.to_string(),
        })?;
        out.push(e);
    }
    Ok(out)
}

/// Reads benchmark queries; labels (`expected`, `track`…) are ignored.
pub fn read_queries(reader: impl BufRead) -> Result<Vec<EvalQuery>, MatchingError> {
    let mut out = Vec::new();
    for l in lines(reader, "queries") {
        let (line, text) = l?;
        let bad = |message: String| MatchingError::BadLine {
            what: "queries",
            line,
            message,
        };
        let v: Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let qid = v
            .get("qid")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("missing string field `qid`".into()))?;
        let schema: Option<Schema> = match v.get("schema").and_then(Value::as_str) {
            Some(s) => Some(
                s.parse()
                    .map_err(|e: tansiq_model::ModelError| bad(format!("field `schema`: {e}")))?,
            ),
            None => None,
        };
        let properties: Properties = match v.get("properties") {
            Some(p) => serde_json::from_value(p.clone())
                .map_err(|e| bad(format!("field `properties`: {e}")))?,
            None => Properties::new(),
        };
        let mut e = Entity::new(qid, schema.unwrap_or(Schema::LegalEntity));
        e.properties = properties;
        let mut query = Query::from_entity(&e);
        query.schema = schema;
        out.push(EvalQuery {
            qid: qid.to_string(),
            query,
        });
    }
    Ok(out)
}

/// Screens every query on one thread. `clock` returns a monotonic time
/// (any origin); it is read before and after each query.
pub fn run(
    index: &Index,
    queries: &[EvalQuery],
    limit: usize,
    mut clock: impl FnMut() -> Duration,
) -> Vec<EvalResult> {
    let mut out = Vec::with_capacity(queries.len());
    for q in queries {
        let t0 = clock();
        let matches = index.screen_scores(&q.query, limit);
        let t1 = clock();
        out.push(EvalResult {
            qid: q.qid.clone(),
            matches: matches
                .into_iter()
                .map(|(id, score)| EvalMatch {
                    id: id.to_string(),
                    score,
                })
                .collect(),
            elapsed_us: t1.saturating_sub(t0).as_micros() as u64,
        });
    }
    out
}
