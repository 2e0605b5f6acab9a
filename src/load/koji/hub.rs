//! A read-only, anonymous XML-RPC client for a Koji hub, and the [`KojiSource`] trait that a
//! hub and a snapshot both implement.
//!
//! Safety rule: only the methods of [`READ_METHODS`] can ever be sent. Every call goes
//! through [`check_allowed`] before it is encoded, including each call inside a `multiCall`
//! (which is built here and nowhere else), so bramble cannot change a hub even by mistake.
//!
//! Calls are written as Koji's Python client writes them: positional parameters, then the
//! keyword arguments as a trailing struct with `"__starstar": true`. Answers are decoded
//! (with `dxr`) into `serde_json::Value`s shaped like `koji call --json-output` prints them,
//! so decoding into model types, snapshots and tests all work on the same JSON. Faults,
//! HTTP errors and answers that are not XML-RPC become [`LoadError::Rpc`] naming the hub URL
//! and the method.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::load::error::{LoadError, Result};
use crate::load::http::HttpClient;

/// The hub methods bramble may call: all of them only read.
pub const READ_METHODS: &[&str] = &[
    "getAPIVersion",
    "getKojiVersion",
    "getLastEvent",
    "getEvent",
    "getTag",
    "getInheritanceData",
    "getFullInheritance",
    "getBuildConfig",
    "getBuildTargets",
    "getBuildTarget",
    "getTagGroups",
    "getTagExternalRepos",
    "getExternalRepoList",
    "listExternalRepos",
    "listTagged",
    "listTaggedRPMS",
    "listPackages",
    "listTags",
    "getRepo",
    "repoInfo",
    "queryHistory",
];

/// Calls per `multiCall` request.
const BATCH: usize = 100;
/// Calls per request of methods whose answers can be huge (every build of a tag).
const HEAVY_BATCH: usize = 4;
const HEAVY: &[&str] = &[
    "listTagged",
    "listTaggedRPMS",
    "listPackages",
    "queryHistory",
];

/// Splits calls into `multiCall` batches: at most [`BATCH`] calls, of which at most
/// [`HEAVY_BATCH`] can have huge answers, so one HTTP answer stays reasonable.
fn batches(calls: &[Call]) -> Vec<&[Call]> {
    let mut out = Vec::new();
    let (mut start, mut heavy) = (0, 0);
    for (i, c) in calls.iter().enumerate() {
        let h = usize::from(HEAVY.contains(&c.method.as_str()));
        if i > start && (i - start == BATCH || heavy + h > HEAVY_BATCH) {
            out.push(&calls[start..i]);
            start = i;
            heavy = 0;
        }
        heavy += h;
    }
    if start < calls.len() {
        out.push(&calls[start..]);
    }
    out
}

/// One call of a hub method, with positional and keyword arguments as JSON values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub method: String,
    #[serde(default)]
    pub args: Vec<Value>,
    #[serde(default)]
    pub kwargs: BTreeMap<String, Value>,
}

impl Call {
    pub fn new(method: &str, args: Vec<Value>) -> Self {
        Self {
            method: method.to_owned(),
            args,
            kwargs: BTreeMap::new(),
        }
    }

    /// Adds a keyword argument.
    #[must_use]
    pub fn kw(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.kwargs.insert(name.to_owned(), value.into());
        self
    }

    /// Adds `event=N` when an event is given.
    #[must_use]
    pub fn at(self, event: Option<i64>) -> Self {
        match event {
            Some(e) => self.kw("event", e),
            None => self,
        }
    }

    /// A stable text key (method plus canonical JSON of the arguments).
    pub fn key(&self) -> String {
        let args = Value::Array(self.args.clone());
        let kwargs = serde_json::to_string(&self.kwargs).unwrap_or_default();
        format!("{}{}{}", self.method, args, kwargs)
    }
}

impl std::fmt::Display for Call {
    /// `getTag("f19-build", event=5)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = self.args.iter().map(Value::to_string).collect();
        parts.extend(self.kwargs.iter().map(|(k, v)| format!("{k}={v}")));
        write!(f, "{}({})", self.method, parts.join(", "))
    }
}

/// Something that answers Koji hub calls: a live hub or a snapshot.
pub trait KojiSource {
    /// Where the answers come from (hub URL or snapshot path), for messages.
    fn origin(&self) -> &str;

    /// One call.
    fn call(&self, call: &Call) -> Result<Value>;

    /// Several independent calls; one result per call, in order. The outer error is for the
    /// transport; a fault of one call is that call's error.
    fn multicall(&self, calls: &[Call]) -> Result<Vec<Result<Value>>> {
        Ok(calls.iter().map(|c| self.call(c)).collect())
    }
}

/// Whether `method` may be sent.
pub fn is_allowed(method: &str) -> bool {
    READ_METHODS.contains(&method)
}

/// Refuses anything outside [`READ_METHODS`].
pub fn check_allowed(origin: &str, method: &str) -> Result<()> {
    if is_allowed(method) {
        Ok(())
    } else {
        Err(LoadError::Rpc {
            origin: origin.to_owned(),
            method: method.to_owned(),
            msg: "refused: bramble only sends read-only calls to a Koji hub".to_owned(),
        })
    }
}

/// A Koji hub reached over XML-RPC, anonymously.
#[derive(Debug)]
pub struct HubClient {
    url: String,
    http: HttpClient,
}

impl HubClient {
    /// `url` is the hub's XML-RPC endpoint (a profile's `server`, e.g.
    /// `https://koji.fedoraproject.org/kojihub`).
    pub fn new(url: &str, http: HttpClient) -> Self {
        Self {
            url: url.to_owned(),
            http,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn error(&self, method: &str, msg: impl Into<String>) -> LoadError {
        LoadError::Rpc {
            origin: self.url.clone(),
            method: method.to_owned(),
            msg: msg.into(),
        }
    }

    /// Sends a method with its XML-RPC parameters. Callers have checked the method (or, for
    /// `multiCall`, every call inside it) with [`check_allowed`].
    fn send(&self, method: &str, label: &str, params: Vec<dxr::Value>) -> Result<Value> {
        let body = dxr::MethodCall {
            name: method.into(),
            params,
        }
        .to_xml()
        .map_err(|e| self.error(label, format!("cannot encode the call: {e}")))?;
        let body = format!("<?xml version='1.0'?>\n{body}");
        let answer = self
            .http
            .post_xml(&self.url, body.as_bytes())
            .map_err(|e| match e {
                LoadError::Http { msg, .. } => self.error(label, msg),
                other => other,
            })?;
        decode_response(&answer).map_err(|msg| self.error(label, msg))
    }
}

/// Decodes an XML-RPC answer; a fault becomes `Err("fault CODE: STRING")`.
pub fn decode_response(body: &[u8]) -> std::result::Result<Value, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("the answer is not UTF-8: {e}"))?;
    if let Ok(r) = dxr::MethodResponse::from_xml(text) {
        return Ok(to_json(r.value));
    }
    if let Ok(f) = dxr::FaultResponse::from_xml(text) {
        return Err(format!(
            "fault {}: {}",
            f.fault.code(),
            f.fault.string().trim_end()
        ));
    }
    let start: String = text
        .trim_start()
        .chars()
        .take(60)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Err(format!(
        "the answer is not XML-RPC ({} bytes, starting `{start}`); is this a Koji hub URL?",
        body.len()
    ))
}

/// XML-RPC value → JSON, as `koji call --json-output` shows it.
pub fn to_json(v: dxr::Value) -> Value {
    match v {
        dxr::Value::Integer(i) => Value::from(i),
        dxr::Value::Long(i) => Value::from(i),
        dxr::Value::Boolean(b) => Value::Bool(b),
        dxr::Value::String(s) => Value::String(s),
        dxr::Value::Double(d) => serde_json::Number::from_f64(d).map_or(Value::Null, Value::Number),
        dxr::Value::DateTime(dt) => Value::String(format!(
            "{:04}{:02}{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )),
        dxr::Value::Base64(b) => Value::Array(b.into_iter().map(Value::from).collect()),
        dxr::Value::Struct(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
        dxr::Value::Array(a) => Value::Array(a.into_iter().map(to_json).collect()),
        _ => Value::Null,
    }
}

/// JSON → XML-RPC value (integers that fit use `<int>`, others `<i8>`; `null` is `<nil/>`).
pub fn to_xmlrpc(v: &Value) -> dxr::Value {
    match v {
        Value::Null => dxr::Value::Nil,
        Value::Bool(b) => dxr::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i32::try_from(i).map_or(dxr::Value::Long(i), dxr::Value::Integer),
            None => dxr::Value::Double(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => dxr::Value::String(s.clone()),
        Value::Array(a) => dxr::Value::Array(a.iter().map(to_xmlrpc).collect()),
        Value::Object(m) => {
            dxr::Value::Struct(m.iter().map(|(k, v)| (k.clone(), to_xmlrpc(v))).collect())
        }
    }
}

/// The XML-RPC parameters of a call, keyword arguments in Koji's `__starstar` struct.
fn params_of(call: &Call) -> Vec<dxr::Value> {
    let mut params: Vec<dxr::Value> = call.args.iter().map(to_xmlrpc).collect();
    if !call.kwargs.is_empty() {
        let mut kw: BTreeMap<String, dxr::Value> = call
            .kwargs
            .iter()
            .map(|(k, v)| (k.clone(), to_xmlrpc(v)))
            .collect();
        kw.insert("__starstar".to_owned(), dxr::Value::Boolean(true));
        params.push(dxr::Value::Struct(kw));
    }
    params
}

impl KojiSource for HubClient {
    fn origin(&self) -> &str {
        &self.url
    }

    fn call(&self, call: &Call) -> Result<Value> {
        check_allowed(&self.url, &call.method)?;
        self.send(&call.method, &call.method, params_of(call))
    }

    fn multicall(&self, calls: &[Call]) -> Result<Vec<Result<Value>>> {
        for c in calls {
            check_allowed(&self.url, &c.method)?;
        }
        let mut out = Vec::with_capacity(calls.len());
        for chunk in batches(calls) {
            if let [single] = chunk {
                out.push(self.call(single));
                continue;
            }
            let entries: Vec<dxr::Value> = chunk
                .iter()
                .map(|c| {
                    let mut m = BTreeMap::new();
                    m.insert(
                        "methodName".to_owned(),
                        dxr::Value::String(c.method.clone()),
                    );
                    m.insert("params".to_owned(), dxr::Value::Array(params_of(c)));
                    dxr::Value::Struct(m)
                })
                .collect();
            let label = format!(
                "multiCall of {} calls ({} first)",
                chunk.len(),
                chunk[0].method
            );
            let answer = self.send("multiCall", &label, vec![dxr::Value::Array(entries)])?;
            let Value::Array(items) = answer else {
                return Err(self.error(&label, "the answer is not a list"));
            };
            if items.len() != chunk.len() {
                return Err(self.error(
                    &label,
                    format!("{} answers for {} calls", items.len(), chunk.len()),
                ));
            }
            for (c, item) in chunk.iter().zip(items) {
                out.push(match item {
                    Value::Array(mut one) if one.len() == 1 => Ok(one.remove(0)),
                    Value::Object(m) if m.contains_key("faultCode") => Err(self.error(
                        &c.to_string(),
                        format!(
                            "fault {}: {}",
                            m.get("faultCode").unwrap_or(&Value::Null),
                            m.get("faultString")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .trim_end()
                        ),
                    )),
                    _ => Err(self.error(&c.to_string(), "malformed multiCall entry")),
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::http::{HttpOptions, ProxyConfig};
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::time::Duration;

    fn client(url: &str) -> HubClient {
        HubClient::new(
            url,
            HttpClient::new(HttpOptions {
                connect_timeout: Duration::from_secs(2),
                read_timeout: Duration::from_secs(5),
                proxy: ProxyConfig::none(),
                ..HttpOptions::default()
            }),
        )
    }

    /// Serves `reply` (status line + body) to every connection for a few connections and
    /// returns the URL and the request bodies received.
    fn serve(
        replies: Vec<(&'static str, String)>,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/kojihub", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut bodies = Vec::new();
            for (status, body) in replies {
                let Ok((mut s, _)) = listener.accept() else {
                    break;
                };
                s.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // read headers, then Content-Length bytes
                loop {
                    let n = s.read(&mut chunk).unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            bodies.push(text[end + 4..].to_owned());
                            break;
                        }
                    }
                }
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                s.write_all(reply.as_bytes()).ok();
            }
            bodies
        });
        (url, handle)
    }

    const TAG_ANSWER: &str = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>id</name>\n<value><int>21</int></value>\n</member>\n<member>\n<name>perm</name>\n<value><nil/></value></member>\n<member>\n<name>big</name>\n<value><i8>5000000000</i8></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n";

    #[test]
    fn only_read_methods_can_be_sent() {
        // no server at all: a refused method must fail before any connection is tried
        let hub = client("http://127.0.0.1:9/kojihub");
        for method in [
            "createTag",
            "tagBuildBypass",
            "editTag2",
            "host.repoInit",
            "repo.request",
            "login",
            "multiCall",
            "system.multicall",
            "noSuchMethod",
            "gettag",
        ] {
            let call = Call::new(method, vec![]);
            let err = hub.call(&call).unwrap_err().to_string();
            assert!(err.contains("refused"), "{method}: {err}");
            let err = hub
                .multicall(&[Call::new("getTag", vec![]), call])
                .unwrap_err()
                .to_string();
            assert!(err.contains("refused"), "{method} in a multicall: {err}");
        }
        assert!(READ_METHODS.iter().all(|m| is_allowed(m)));
        assert!(READ_METHODS.iter().all(|m| m.starts_with("get")
            || m.starts_with("list")
            || m.starts_with("query")
            || *m == "repoInfo"));
    }

    #[test]
    fn calls_carry_keyword_arguments_like_koji() {
        let (url, server) = serve(vec![("200 OK", TAG_ANSWER.to_owned())]);
        let hub = client(&url);
        let call = Call::new("getTag", vec![Value::from("f19-build")]).kw("event", 5);
        let v = hub.call(&call).unwrap();
        assert_eq!(v["id"], 21);
        assert_eq!(v["perm"], Value::Null);
        assert_eq!(v["big"], 5_000_000_000_i64);
        let bodies = server.join().unwrap();
        let sent =
            dxr::MethodCall::from_xml(bodies[0].trim_start_matches("<?xml version='1.0'?>\n"))
                .unwrap();
        assert_eq!(sent.name, "getTag");
        assert_eq!(sent.params.len(), 2);
        let dxr::Value::Struct(kw) = &sent.params[1] else {
            panic!("no keyword struct")
        };
        assert_eq!(kw.get("__starstar"), Some(&dxr::Value::Boolean(true)));
        assert_eq!(kw.get("event"), Some(&dxr::Value::Integer(5)));
    }

    #[test]
    fn faults_and_garbage_name_the_hub_and_method() {
        let fault = "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>1000</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>No such tagInfo: 'x'</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n";
        let (url, server) = serve(vec![
            ("200 OK", fault.to_owned()),
            ("200 OK", "<html><body>login</body></html>".to_owned()),
            ("500 Internal Server Error", String::new()),
        ]);
        let hub = client(&url);
        let call = Call::new("getTag", vec![Value::from("x")]);
        let e = hub.call(&call).unwrap_err().to_string();
        assert!(
            e.contains(&url) && e.contains("getTag") && e.contains("fault 1000: No such tagInfo"),
            "{e}"
        );
        let e = hub.call(&call).unwrap_err().to_string();
        assert!(
            e.contains(&url) && e.contains("not XML-RPC") && e.contains("<html>"),
            "{e}"
        );
        let e = hub.call(&call).unwrap_err().to_string();
        assert!(
            e.contains(&url) && e.contains("getTag") && e.contains("500"),
            "{e}"
        );
        server.join().unwrap();
    }

    #[test]
    fn multicall_splits_results_and_faults() {
        let answer = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><array><data>\n<value><int>1</int></value>\n</data></array></value>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>1000</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>nope</string></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n";
        let (url, server) = serve(vec![("200 OK", answer.to_owned())]);
        let hub = client(&url);
        let calls = [
            Call::new("getTag", vec![Value::from("a")]),
            Call::new("getTag", vec![Value::from("b")]),
        ];
        let r = hub.multicall(&calls).unwrap();
        assert_eq!(r[0].as_ref().unwrap(), &Value::from(1));
        let e = r[1].as_ref().unwrap_err().to_string();
        assert!(e.contains("getTag(\"b\")") && e.contains("nope"), "{e}");
        let bodies = server.join().unwrap();
        assert!(bodies[0].contains("<methodName>multiCall</methodName>"));
    }

    #[test]
    fn heavy_calls_get_small_batches() {
        let mut calls = vec![Call::new("getTag", vec![]); 150];
        calls.extend(vec![Call::new("listTagged", vec![]); 9]);
        let sizes: Vec<usize> = batches(&calls).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [100, 54, 4, 1]);
        assert!(batches(&[]).is_empty());
    }

    #[test]
    fn json_round_trip_of_values() {
        let v = serde_json::json!({"a": [1, 5_000_000_000_i64, null, true, "s", 1.5]});
        assert_eq!(to_json(to_xmlrpc(&v)), v);
        assert!(decode_response(b"\xff\xfe").unwrap_err().contains("UTF-8"));
    }
}
