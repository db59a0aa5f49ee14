// SPDX-License-Identifier: Apache-2.0
//! Reads a JSON array on stdin whose entries are input JSON texts (strings), or objects
//! `{"input": "<text>", "parser_disagreement": "<why>"}`, and prints a JSON array of
//! `{"input", "expected"}` (serde_json::to_string of the parsed serde_json::Value) or
//! `{"input", "error"}` when serde_json rejects the text. `parser_disagreement` is copied through:
//! it marks inputs that nlohmann::json parses differently, which the C++ test leaves out of the
//! byte comparison.
use serde_json::{json, Map, Value};
use std::io::Read;

fn main() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).expect("read stdin");
    let inputs: Vec<Value> = serde_json::from_str(&text).expect("stdin must be a JSON array");
    let mut out = Vec::with_capacity(inputs.len());
    for entry in inputs {
        let (input, note) = match entry {
            Value::String(s) => (s, None),
            Value::Object(mut o) => {
                let input = match o.remove("input") {
                    Some(Value::String(s)) => s,
                    _ => panic!("an object entry needs an \"input\" string"),
                };
                (input, o.remove("parser_disagreement"))
            }
            _ => panic!("entries must be strings or objects"),
        };
        let mut row = Map::new();
        row.insert("input".into(), json!(input));
        match serde_json::from_str::<Value>(&input) {
            Ok(v) => row.insert("expected".into(), json!(serde_json::to_string(&v).unwrap())),
            Err(e) => row.insert("error".into(), json!(e.to_string())),
        };
        if let Some(n) = note {
            row.insert("parser_disagreement".into(), n);
        }
        out.push(Value::Object(row));
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
