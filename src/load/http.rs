//! Blocking HTTP(S) downloads for remote repositories, on `ureq` (rustls, webpki roots).
//! A TLS client certificate and a CA bundle replacing the webpki roots can be given
//! ([`TlsFiles`], koji's `cert` and `serverca`): PEM files, read when the client is made.
//!
//! Invariants a loader can rely on:
//! - bodies are streamed and never size-limited unless the caller asks ([`HttpClient::get_bytes`]);
//! - bytes arrive exactly as served: ureq's `gzip` feature stays off, so a `.xml.gz` sent with
//!   `Content-Encoding: gzip` is not inflated behind our back (that would break repomd sums);
//! - a body that ends before its `Content-Length` is an error, never a silently short file;
//! - every error names the URL that was asked for (and the one redirected to, if different).
//!
//! Redirects are followed here rather than inside ureq, so that each hop chooses its own
//! proxy: a mirror redirector on a `no_proxy` host commonly sends clients to public mirrors
//! that must go through the proxy. Proxies follow curl (and so dnf/librepo): `http_proxy` for
//! `http://`, `https_proxy`/`HTTPS_PROXY` for `https://`, `all_proxy`/`ALL_PROXY` as fallback,
//! and `no_proxy`/`NO_PROXY` matched as host suffixes (`example.com` also covers
//! `mirror.example.com`), IP addresses or CIDR ranges, `*` for everything. ureq's own
//! environment handling is not used: it takes one proxy for all schemes and matches
//! `no_proxy` entries exactly. Note that ureq reaches even plain-`http://` targets through an
//! HTTP proxy with `CONNECT`, which proxies restricting `CONNECT` to port 443 refuse.

use std::io::{self, Read};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ureq::Agent;
use ureq::http::{Response, StatusCode, header};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig, parse_pem};

use crate::load::error::{LoadError, Result};

/// The `User-Agent` header bramble sends.
pub const USER_AGENT: &str = concat!("bramble/", env!("CARGO_PKG_VERSION"));

/// How [`HttpClient`] connects.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Name resolution plus TCP connect (plus proxy and TLS handshake), per request.
    pub connect_timeout: Duration,
    /// Longest silence while waiting for response headers or body bytes.
    pub read_timeout: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: u32,
    pub proxy: ProxyConfig,
    pub user_agent: String,
    pub tls: TlsFiles,
}

/// PEM files for TLS, as koji's `cert` and `serverca` name them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// The client certificate (chain) and its private key, both in this one file (koji's
    /// `cert`), or the key in `client_key`.
    pub client_cert: Option<PathBuf>,
    /// The private key when it is not in `client_cert`.
    pub client_key: Option<PathBuf>,
    /// CA certificates to verify the server with, instead of the webpki roots (koji's
    /// `serverca`).
    pub server_ca: Option<PathBuf>,
}

fn pem_error(path: &Path, msg: impl std::fmt::Display) -> LoadError {
    LoadError::Invalid {
        path: path.to_owned(),
        msg: msg.to_string(),
    }
}

/// Certificates and private keys of a PEM file; errors name the file and what it is for.
fn read_pem(
    path: &Path,
    what: &str,
) -> Result<(Vec<Certificate<'static>>, Vec<PrivateKey<'static>>)> {
    let bytes = std::fs::read(path)
        .map_err(|e| pem_error(path, format!("cannot read the {what} file: {e}")))?;
    let mut certs = Vec::new();
    let mut keys = Vec::new();
    for item in parse_pem(&bytes) {
        match item {
            Ok(PemItem::Certificate(c)) => certs.push(c),
            Ok(PemItem::PrivateKey(k)) => keys.push(k),
            Ok(_) => {}
            Err(e) => {
                return Err(pem_error(
                    path,
                    format!("the {what} file is not valid PEM: {e}"),
                ));
            }
        }
    }
    Ok((certs, keys))
}

impl TlsFiles {
    pub fn is_empty(&self) -> bool {
        self.client_cert.is_none() && self.server_ca.is_none()
    }

    /// Read the files into ureq's TLS configuration; `None` when nothing is set.
    /// Unreadable files, invalid PEM, a certificate file without a certificate or a key,
    /// and a CA file without certificates are errors naming the file.
    pub fn config(&self) -> Result<Option<TlsConfig>> {
        if self.is_empty() {
            return Ok(None);
        }
        let mut b = TlsConfig::builder();
        if let Some(path) = &self.client_cert {
            let (certs, mut keys) = read_pem(path, "client cert")?;
            if certs.is_empty() {
                return Err(pem_error(
                    path,
                    "no PEM certificate in the client cert file",
                ));
            }
            if let Some(kp) = &self.client_key {
                keys = read_pem(kp, "client key")?.1;
                if keys.is_empty() {
                    return Err(pem_error(kp, "no PEM private key in the client key file"));
                }
            }
            let Some(key) = keys.into_iter().next() else {
                return Err(pem_error(
                    path,
                    "no PEM private key in the client cert file (koji's `cert` holds the \
                     certificate and its key)",
                ));
            };
            b = b.client_cert(Some(ClientCert::new_with_certs(&certs, key)));
        }
        if let Some(path) = &self.server_ca {
            let (certs, _) = read_pem(path, "CA")?;
            if certs.is_empty() {
                return Err(pem_error(path, "no PEM certificate in the CA file"));
            }
            b = b.root_certs(RootCerts::new_with_certs(&certs));
        }
        Ok(Some(b.build()))
    }
}

impl Default for HttpOptions {
    /// 10 s to connect, 30 s of silence, 10 redirects, proxies from the environment.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_redirects: 10,
            proxy: ProxyConfig::from_env(),
            user_agent: USER_AGENT.to_owned(),
            tls: TlsFiles::default(),
        }
    }
}

/// Which proxy to use for which URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    /// Proxy for `http://` URLs.
    pub http: Option<String>,
    /// Proxy for `https://` URLs.
    pub https: Option<String>,
    /// Hosts reached directly: host suffixes, IP addresses, CIDR ranges, or `*`.
    pub no_proxy: Vec<String>,
}

impl ProxyConfig {
    /// No proxy at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// The process environment, read the way curl reads it.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`ProxyConfig::from_env`] with another source of variables (tests, config files).
    /// Empty values count as unset. Uppercase `HTTP_PROXY` is ignored, as curl ignores it (in a
    /// CGI context it is attacker-controlled through the `Proxy:` request header).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: &[&str]| {
            names
                .iter()
                .filter_map(|n| lookup(n))
                .find(|v| !v.trim().is_empty())
        };
        let all = first(&["all_proxy", "ALL_PROXY"]);
        Self {
            http: first(&["http_proxy"]).or_else(|| all.clone()),
            https: first(&["https_proxy", "HTTPS_PROXY"]).or(all),
            no_proxy: first(&["no_proxy", "NO_PROXY"])
                .map(|v| {
                    v.split([',', ' ', '\t'])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The proxy for `url`, if it should go through one.
    pub fn proxy_for(&self, url: &str) -> Option<&str> {
        let (scheme, authority, _) = split_url(url)?;
        let proxy = match scheme.to_ascii_lowercase().as_str() {
            "http" => self.http.as_deref(),
            "https" => self.https.as_deref(),
            _ => None,
        }?;
        if self.bypasses(host_of(authority)) {
            None
        } else {
            Some(proxy)
        }
    }

    /// Whether `host` (a name or an IP address, IPv6 with or without brackets) is in
    /// `no_proxy`.
    pub fn bypasses(&self, host: &str) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let host_ip: Option<IpAddr> = host.parse().ok();
        self.no_proxy.iter().any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = entry.to_ascii_lowercase();
            if let Some((net, bits)) = entry.split_once('/') {
                return match (host_ip, net.parse::<IpAddr>(), bits.parse::<u8>()) {
                    (Some(h), Ok(n), Ok(bits)) => ip_in_network(h, n, bits),
                    _ => false,
                };
            }
            let entry = entry.trim_start_matches("*.").trim_start_matches('.');
            let entry = strip_port(entry.trim_start_matches('[').trim_end_matches(']'));
            if let (Some(h), Ok(e)) = (host_ip, entry.parse::<IpAddr>()) {
                return h == e;
            }
            !entry.is_empty()
                && (host == entry
                    || (host.len() > entry.len()
                        && host.ends_with(entry)
                        && host.as_bytes()[host.len() - entry.len() - 1] == b'.'))
        })
    }
}

/// `host:port` → `host` for names and IPv4; an IPv6 address is left alone.
fn strip_port(entry: &str) -> &str {
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host
        }
        _ => entry,
    }
}

fn ip_in_network(host: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (h, n, width) = match (host, net) {
        (IpAddr::V4(h), IpAddr::V4(n)) => (u128::from(h.to_bits()), u128::from(n.to_bits()), 32),
        (IpAddr::V6(h), IpAddr::V6(n)) => (h.to_bits(), n.to_bits(), 128),
        _ => return false,
    };
    if bits > width {
        return false;
    }
    let shift = u32::from(width - bits);
    let mask = if shift >= 128 { 0 } else { u128::MAX << shift };
    (h & mask) == (n & mask)
}

/// A blocking HTTP(S) client; cheap to share by reference across threads.
pub struct HttpClient {
    agent: Agent,
    opts: HttpOptions,
    /// Why the TLS files could not be used ([`HttpClient::new`] cannot fail): every
    /// request then fails with it.
    tls_error: Option<(PathBuf, String)>,
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new(HttpOptions::default())
    }
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A client; TLS files that cannot be used make every request fail with the reason
    /// (use [`HttpClient::try_new`] to know at once).
    pub fn new(opts: HttpOptions) -> Self {
        match Self::try_new(opts.clone()) {
            Ok(c) => c,
            Err(e) => {
                let path = match &e {
                    LoadError::Io { path, .. } | LoadError::Invalid { path, .. } => path.clone(),
                    _ => PathBuf::new(),
                };
                let mut c = Self::build(opts, None);
                c.tls_error = Some((path, e.to_string()));
                c
            }
        }
    }

    /// A client, or why its TLS files cannot be used (naming the file).
    pub fn try_new(opts: HttpOptions) -> Result<Self> {
        let tls = opts.tls.config()?;
        Ok(Self::build(opts, tls))
    }

    fn build(opts: HttpOptions, tls: Option<TlsConfig>) -> Self {
        let mut config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(opts.user_agent.as_str())
            .accept_encoding("")
            .timeout_resolve(Some(opts.connect_timeout))
            .timeout_connect(Some(opts.connect_timeout))
            .timeout_per_read(Some(opts.read_timeout));
        if let Some(tls) = tls {
            config = config.tls_config(tls);
        }
        Self {
            agent: config.build().new_agent(),
            opts,
            tls_error: None,
        }
    }

    fn check_tls(&self) -> Result<()> {
        match &self.tls_error {
            None => Ok(()),
            Some((path, msg)) => Err(LoadError::Invalid {
                path: path.clone(),
                msg: format!("TLS files unusable: {msg}"),
            }),
        }
    }

    pub fn options(&self) -> &HttpOptions {
        &self.opts
    }

    /// GETs `url` and returns its body as a stream. Only `200 OK` succeeds; the reader's I/O
    /// errors (timeouts, a body shorter than its `Content-Length`) name the URL, and
    /// [`http_error_of`] turns them back into [`LoadError::Http`].
    pub fn get_reader(&self, url: &str) -> Result<Box<dyn Read + Send>> {
        let (reader, _) = self.open(url)?;
        Ok(Box::new(reader))
    }

    /// GETs `url` into memory; a body larger than `limit` bytes is an error.
    pub fn get_bytes(&self, url: &str, limit: u64) -> Result<Vec<u8>> {
        let (reader, length) = self.open(url)?;
        read_limited(reader, length, url, limit)
    }

    /// POSTs an XML body (an XML-RPC call) to `url` and returns the response body, at most
    /// [`POST_LIMIT`] bytes. Redirects are not followed (a POST must not silently turn into
    /// a GET): a redirect is an error naming where it points, so the user can use that URL.
    pub fn post_xml(&self, url: &str, body: &[u8]) -> Result<Vec<u8>> {
        self.check_tls()?;
        let fail = |msg: String| LoadError::Http {
            url: url.to_owned(),
            msg,
        };
        let scheme = split_url(url).map(|(s, _, _)| s.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("http" | "https")) {
            return Err(LoadError::Unsupported {
                what: format!("calling `{url}`"),
                why: "only http:// and https:// URLs are supported".to_owned(),
            });
        }
        let mut request = self
            .agent
            .post(escape_for_request(url))
            .header(header::CONTENT_TYPE, "text/xml");
        if let Some(proxy) = self.opts.proxy.proxy_for(url) {
            let proxy = ureq::Proxy::new(proxy)
                .map_err(|e| fail(format!("invalid proxy `{proxy}`: {e}")))?;
            request = request.config().proxy(Some(proxy)).build();
        }
        let response = request
            .send(body)
            .map_err(|e| fail(describe_ureq_error(&e, &self.opts)))?;
        let status = response.status();
        if is_redirect(status) {
            let to = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| resolve_reference(url, l));
            return Err(fail(match to {
                Some(to) => format!("{} to {to} (not followed for a POST)", status_text(status)),
                None => format!("{} without a Location header", status_text(status)),
            }));
        }
        if status != StatusCode::OK {
            return Err(fail(status_text(status)));
        }
        let length = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let reader = BodyReader {
            inner: Box::new(response.into_body().into_reader()),
            url: url.to_owned(),
            expected: length,
            received: 0,
            read_timeout: self.opts.read_timeout,
        };
        read_limited(reader, length, url, POST_LIMIT)
    }

    /// Follows redirects to a `200 OK` and returns its body reader and `Content-Length`.
    fn open(&self, url: &str) -> Result<(BodyReader, Option<u64>)> {
        self.check_tls()?;
        let mut current = url.to_owned();
        let mut hops = 0;
        loop {
            let response = self.request(url, &current)?;
            let status = response.status();
            let where_ = |current: &str| {
                if current == url {
                    String::new()
                } else {
                    format!(" (redirected to {current})")
                }
            };
            if is_redirect(status) {
                let Some(location) = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                else {
                    return Err(LoadError::Http {
                        url: url.to_owned(),
                        msg: format!(
                            "{} without a Location header{}",
                            status_text(status),
                            where_(&current)
                        ),
                    });
                };
                if hops >= self.opts.max_redirects {
                    return Err(LoadError::Http {
                        url: url.to_owned(),
                        msg: format!(
                            "too many redirects (more than {}); last to {}",
                            self.opts.max_redirects,
                            resolve_reference(&current, location)
                        ),
                    });
                }
                hops += 1;
                current = resolve_reference(&current, location);
                continue;
            }
            if status != StatusCode::OK {
                return Err(LoadError::Http {
                    url: url.to_owned(),
                    msg: format!("{}{}", status_text(status), where_(&current)),
                });
            }
            let length = response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let reader = BodyReader {
                inner: Box::new(response.into_body().into_reader()),
                url: url.to_owned(),
                expected: length,
                received: 0,
                read_timeout: self.opts.read_timeout,
            };
            return Ok((reader, length));
        }
    }

    /// One GET of `current` (on the way to `url`), through the proxy that applies to it.
    fn request(&self, url: &str, current: &str) -> Result<Response<ureq::Body>> {
        let fail = |msg: String| {
            let msg = if current == url {
                msg
            } else {
                format!("{msg} (redirected to {current})")
            };
            LoadError::Http {
                url: url.to_owned(),
                msg,
            }
        };
        let scheme = split_url(current).map(|(s, _, _)| s.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("http" | "https")) {
            return Err(LoadError::Unsupported {
                what: format!("fetching `{current}`"),
                why: "only http:// and https:// URLs are downloaded".to_owned(),
            });
        }
        let mut request = self.agent.get(escape_for_request(current));
        if let Some(proxy) = self.opts.proxy.proxy_for(current) {
            let proxy = ureq::Proxy::new(proxy)
                .map_err(|e| fail(format!("invalid proxy `{proxy}`: {e}")))?;
            request = request.config().proxy(Some(proxy)).build();
        }
        request
            .call()
            .map_err(|e| fail(describe_ureq_error(&e, &self.opts)))
    }
}

/// The largest XML-RPC answer [`HttpClient::post_xml`] accepts (a Koji `listTagged` of a big
/// tag runs to hundreds of megabytes).
pub const POST_LIMIT: u64 = 2 << 30;

/// Reads a body into memory; more than `limit` bytes is an error naming `url`.
fn read_limited(
    mut reader: BodyReader,
    length: Option<u64>,
    url: &str,
    limit: u64,
) -> Result<Vec<u8>> {
    let too_big = || LoadError::Http {
        url: url.to_owned(),
        msg: format!("response is larger than the limit of {limit} bytes"),
    };
    if length.is_some_and(|n| n > limit) {
        return Err(too_big());
    }
    // Content-Length comes from the server: trust it for a capacity hint only up to a point.
    let hint = length.unwrap_or(0).min(limit).min(64 << 20);
    let mut buf = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    (&mut reader)
        .take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| {
            http_error_of(&e).unwrap_or_else(|| LoadError::Http {
                url: url.to_owned(),
                msg: e.to_string(),
            })
        })?;
    if buf.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(buf)
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// `HTTP 404 Not Found`.
fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

fn describe_ureq_error(e: &ureq::Error, opts: &HttpOptions) -> String {
    use ureq::Timeout as T;
    match e {
        ureq::Error::Timeout(T::PerRead | T::RecvResponse | T::RecvBody) => {
            format!("timed out: nothing received for {:?}", opts.read_timeout)
        }
        ureq::Error::Timeout(T::Resolve | T::Connect) => format!(
            "timed out: could not connect within {:?}",
            opts.connect_timeout
        ),
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::Io(io) => io.to_string(),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        other => other.to_string(),
    }
}

/// The error inside an I/O error from a [`HttpClient::get_reader`] stream.
#[derive(Debug)]
pub struct BodyError {
    pub url: String,
    pub msg: String,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.url, self.msg)
    }
}

impl std::error::Error for BodyError {}

/// If `e` came from a [`HttpClient::get_reader`] stream, the [`LoadError::Http`] it stands for.
pub fn http_error_of(e: &io::Error) -> Option<LoadError> {
    let body = e.get_ref()?.downcast_ref::<BodyError>()?;
    Some(LoadError::Http {
        url: body.url.clone(),
        msg: body.msg.clone(),
    })
}

/// The response body, checked against `Content-Length` and with errors that name the URL.
struct BodyReader {
    inner: Box<dyn Read + Send>,
    url: String,
    expected: Option<u64>,
    received: u64,
    read_timeout: Duration,
}

impl BodyReader {
    fn error(&self, kind: io::ErrorKind, msg: String) -> io::Error {
        io::Error::new(
            kind,
            BodyError {
                url: self.url.clone(),
                msg,
            },
        )
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(0) if !buf.is_empty() => match self.expected {
                Some(expected) if self.received < expected => Err(self.error(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "body ended after {} of {expected} bytes (Content-Length)",
                        self.received
                    ),
                )),
                _ => Ok(0),
            },
            Ok(n) => {
                self.received += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e)
                if e.kind() == io::ErrorKind::UnexpectedEof
                    && self.expected.is_some_and(|x| self.received < x) =>
            {
                let expected = self.expected.unwrap_or_default();
                Err(self.error(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "body ended after {} of {expected} bytes (Content-Length)",
                        self.received
                    ),
                ))
            }
            Err(e) => {
                let kind = e.kind();
                let msg = match e.get_ref().and_then(|r| r.downcast_ref::<ureq::Error>()) {
                    Some(ureq::Error::Timeout(_)) => format!(
                        "timed out: nothing received for {:?} (after {} bytes)",
                        self.read_timeout, self.received
                    ),
                    Some(u) => format!("{u} (after {} bytes)", self.received),
                    None => format!("{e} (after {} bytes)", self.received),
                };
                Err(self.error(kind, msg))
            }
        }
    }
}

/// Splits `scheme://authority/rest` into its three parts (`rest` keeps its leading `/`).
fn split_url(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some((scheme, &rest[..end], &rest[end..]))
}

/// The host of an authority `user@host:port` (`[v6]` keeps its brackets).
fn host_of(authority: &str) -> &str {
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if hostport.starts_with('[') {
        return hostport.find(']').map_or(hostport, |i| &hostport[..=i]);
    }
    hostport.split_once(':').map_or(hostport, |(h, _)| h)
}

/// Joins a repository base (a `baseurl` or a local directory) and a repodata `href`.
///
/// The base is always a directory, whether or not it ends in `/` (dnf's rule, not RFC
/// 3986's); an absolute `href` (`scheme://...`) replaces it, `//host/...` keeps the scheme,
/// `/path` keeps scheme and host; `.` and `..` segments are resolved (never above the root).
pub fn join_url(base: &str, href: &str) -> String {
    if split_url(href).is_some() {
        return href.to_owned();
    }
    if let Some(rest) = href.strip_prefix("//") {
        return match split_url(base) {
            Some((scheme, _, _)) => format!("{scheme}://{rest}"),
            None => href.to_owned(),
        };
    }
    match split_url(base) {
        Some((scheme, authority, path)) => {
            let path = path.split(['?', '#']).next().unwrap_or("");
            let joined = if href.starts_with('/') {
                href.to_owned()
            } else {
                format!("{}/{href}", path.trim_end_matches('/'))
            };
            format!("{scheme}://{authority}{}", remove_dot_segments(&joined))
        }
        None if href.starts_with('/') => remove_dot_segments(href),
        None if base.is_empty() => remove_dot_segments(href),
        None => remove_dot_segments(&format!("{}/{href}", base.trim_end_matches('/'))),
    }
}

/// Resolves a `Location` header against the URL that sent it (RFC 3986: a relative reference
/// replaces the last path segment).
fn resolve_reference(current: &str, location: &str) -> String {
    let location = location.trim();
    if split_url(location).is_some() || location.starts_with("//") || location.starts_with('/') {
        return join_url(current, location);
    }
    let Some((scheme, authority, path)) = split_url(current) else {
        return location.to_owned();
    };
    let path = path.split('#').next().unwrap_or("");
    if location.starts_with('?') {
        let path = path.split('?').next().unwrap_or("");
        return format!("{scheme}://{authority}{path}{location}");
    }
    let path = path.split('?').next().unwrap_or("");
    let dir = path.rfind('/').map_or("", |i| &path[..i]);
    join_url(&format!("{scheme}://{authority}{dir}"), location)
}

/// Resolves `.` and `..` in a path (a query or fragment is left alone).
fn remove_dot_segments(path: &str) -> String {
    let (path, tail) = match path.find(['?', '#']) {
        Some(i) => path.split_at(i),
        None => (path, ""),
    };
    if !path.split('/').any(|s| s == "." || s == "..") {
        return format!("{path}{tail}");
    }
    let absolute = path.starts_with('/');
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|s| *s != "..") {
                    out.pop();
                } else if !absolute {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let mut s = String::with_capacity(path.len());
    if absolute {
        s.push('/');
    }
    s.push_str(&out.join("/"));
    if trailing && !out.is_empty() {
        s.push('/');
    }
    s.push_str(tail);
    s
}

/// Percent-encodes what may not appear raw in a request target (spaces, `^` of caret
/// versions, non-ASCII, ...); existing `%XX` escapes and URL delimiters are kept.
fn escape_for_request(url: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let keep = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b);
    if url.bytes().all(keep) {
        return url.to_owned();
    }
    let mut out = String::with_capacity(url.len() + 16);
    for b in url.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Instant;

    /// What the test server does with a request for one path.
    #[derive(Clone, Copy)]
    enum Reply {
        /// 200 with a body and the right Content-Length.
        File(&'static [u8]),
        /// 302 to another path.
        Redirect(&'static str),
        NotFound,
        /// Headers (Content-Length 100) and 10 bytes, then silence for the given time.
        Stall(Duration),
        /// Content-Length 1000, 100 bytes, close.
        Truncate,
        /// 200 with the body (of any length) and no Content-Length, close-delimited.
        NoLength(&'static [u8]),
        /// 301 with no Location.
        RedirectNowhere,
    }

    /// A one-thread HTTP/1.1 server on 127.0.0.1 that serves at most `connections`
    /// connections and gives up 10 s after starting, so a test can never hang on it. It sends
    /// each request line it receives down the returned channel.
    fn serve(
        connections: usize,
        route: fn(&str) -> Reply,
    ) -> (String, mpsc::Receiver<String>, thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        let handle = thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(10);
            let mut served = 0;
            while served < connections && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        served += 1;
                        handle_connection(stream, route, &tx);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        (base, rx, handle)
    }

    fn handle_connection(stream: TcpStream, route: fn(&str) -> Reply, tx: &mpsc::Sender<String>) {
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) if line == "\r\n" || line == "\n" => break,
                Ok(_) => {
                    if line.to_ascii_lowercase().starts_with("user-agent:") {
                        let _ = tx.send(line.trim_end().to_owned());
                    }
                }
            }
        }
        let request_line = request_line.trim_end().to_owned();
        let _ = tx.send(request_line.clone());
        let path = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
        let mut out = stream;
        let _ = match route(&path) {
            Reply::File(body) => out
                .write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .as_bytes(),
                )
                .and_then(|()| out.write_all(body)),
            Reply::Redirect(to) => out.write_all(
                format!(
                    "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n\
                     Connection: close\r\n\r\n"
                )
                .as_bytes(),
            ),
            Reply::RedirectNowhere => out.write_all(
                b"HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            ),
            Reply::NotFound => out.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
            ),
            Reply::Stall(pause) => out
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
                .and_then(|()| out.flush())
                .map(|()| thread::sleep(pause)),
            Reply::Truncate => out
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n")
                .and_then(|()| out.write_all(&[b'x'; 100])),
            Reply::NoLength(body) => out
                .write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
                .and_then(|()| out.write_all(body)),
        };
        let _ = out.flush();
    }

    fn client() -> HttpClient {
        HttpClient::new(HttpOptions {
            connect_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_millis(300),
            proxy: ProxyConfig::none(),
            ..HttpOptions::default()
        })
    }

    fn http_msg(r: Result<Vec<u8>>) -> (String, String) {
        match r {
            Err(LoadError::Http { url, msg }) => (url, msg),
            other => panic!("expected an HTTP error, got {other:?}"),
        }
    }

    const BODY: &[u8] = b"<repomd>hello</repomd>\n";

    #[test]
    fn serves_a_file_with_content_length() {
        let (base, rx, server) = serve(2, |_| Reply::File(BODY));
        let c = client();
        assert_eq!(
            c.get_bytes(&format!("{base}/repodata/repomd.xml"), 1 << 20)
                .unwrap(),
            BODY
        );
        let mut streamed = Vec::new();
        c.get_reader(&format!("{base}/x"))
            .unwrap()
            .read_to_end(&mut streamed)
            .unwrap();
        assert_eq!(streamed, BODY);
        server.join().unwrap();
        let seen: Vec<String> = rx.try_iter().collect();
        assert!(
            seen.contains(&"GET /repodata/repomd.xml HTTP/1.1".to_owned()),
            "{seen:?}"
        );
        assert!(
            seen.iter()
                .any(|l| l == &format!("user-agent: {USER_AGENT}")
                    || l == &format!("User-Agent: {USER_AGENT}")),
            "{seen:?}"
        );
    }

    #[test]
    fn follows_redirects() {
        let (base, rx, server) = serve(3, |p| match p {
            "/old/repomd.xml" => Reply::Redirect("/mid/repomd.xml"),
            "/mid/repomd.xml" => Reply::Redirect("../new/repomd.xml"),
            _ => Reply::File(BODY),
        });
        assert_eq!(
            client()
                .get_bytes(&format!("{base}/old/repomd.xml"), 1000)
                .unwrap(),
            BODY
        );
        server.join().unwrap();
        let seen: Vec<String> = rx.try_iter().filter(|l| l.starts_with("GET")).collect();
        assert_eq!(
            seen,
            [
                "GET /old/repomd.xml HTTP/1.1",
                "GET /mid/repomd.xml HTTP/1.1",
                "GET /new/repomd.xml HTTP/1.1"
            ]
        );
    }

    #[test]
    fn redirect_loops_and_missing_locations_fail() {
        let (base, _rx, server) = serve(11, |_| Reply::Redirect("/loop"));
        let url = format!("{base}/loop");
        let (u, msg) = http_msg(client().get_bytes(&url, 1000));
        assert_eq!(u, url);
        assert!(msg.contains("too many redirects"), "{msg}");
        server.join().unwrap();

        let (base, _rx, server) = serve(1, |_| Reply::RedirectNowhere);
        let (_, msg) = http_msg(client().get_bytes(&format!("{base}/x"), 1000));
        assert!(
            msg.contains("HTTP 301 Moved Permanently without a Location"),
            "{msg}"
        );
        server.join().unwrap();
    }

    #[test]
    fn not_found_is_an_error_naming_the_url() {
        let (base, _rx, server) = serve(3, |p| match p {
            "/moved" => Reply::Redirect("/gone"),
            _ => Reply::NotFound,
        });
        let url = format!("{base}/repodata/repomd.xml");
        let (u, msg) = http_msg(client().get_bytes(&url, 1000));
        assert_eq!(
            (u.as_str(), msg.as_str()),
            (url.as_str(), "HTTP 404 Not Found")
        );
        let err = client()
            .get_reader(&format!("{base}/moved"))
            .err()
            .expect("404 after a redirect");
        let text = err.to_string();
        assert!(
            text.contains("/moved: HTTP 404 Not Found (redirected to") && text.contains("/gone"),
            "{text}"
        );
        server.join().unwrap();
    }

    #[test]
    fn a_stalled_body_times_out() {
        let (base, _rx, server) = serve(1, |_| Reply::Stall(Duration::from_millis(1500)));
        let url = format!("{base}/slow");
        let started = Instant::now();
        let (u, msg) = http_msg(client().get_bytes(&url, 1000));
        assert!(
            started.elapsed() < Duration::from_millis(1400),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(u, url);
        assert!(msg.contains("timed out"), "{msg}");
        server.join().unwrap();
    }

    #[test]
    fn a_truncated_body_is_an_error_naming_the_url() {
        let (base, _rx, server) = serve(2, |_| Reply::Truncate);
        let url = format!("{base}/primary.xml.gz");
        let (u, msg) = http_msg(client().get_bytes(&url, 1 << 20));
        assert_eq!(u, url);
        assert!(msg.contains("100") && msg.contains("1000"), "{msg}");

        // Streaming: the I/O error itself names the URL and maps back to LoadError::Http.
        let mut reader = client().get_reader(&url).unwrap();
        let mut sink = Vec::new();
        let err = reader.read_to_end(&mut sink).unwrap_err();
        assert!(err.to_string().contains(&url), "{err}");
        assert!(matches!(http_error_of(&err), Some(LoadError::Http { url: u, .. }) if u == url));
        assert_eq!(sink.len(), 100);
        server.join().unwrap();
    }

    #[test]
    fn limits_apply_with_or_without_content_length() {
        let (base, _rx, server) = serve(3, |p| match p {
            "/nolen" => Reply::NoLength(b"0123456789"),
            _ => Reply::File(b"0123456789"),
        });
        let (_, msg) = http_msg(client().get_bytes(&format!("{base}/len"), 5));
        assert!(msg.contains("limit of 5 bytes"), "{msg}");
        let (_, msg) = http_msg(client().get_bytes(&format!("{base}/nolen"), 5));
        assert!(msg.contains("limit of 5 bytes"), "{msg}");
        assert_eq!(
            client().get_bytes(&format!("{base}/nolen"), 10).unwrap(),
            b"0123456789"
        );
        server.join().unwrap();
    }

    #[test]
    fn refused_connections_and_other_schemes_fail_cleanly() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let url = format!("http://127.0.0.1:{port}/repomd.xml");
        let (u, msg) = http_msg(client().get_bytes(&url, 10));
        assert_eq!(u, url);
        assert!(!msg.is_empty());
        assert!(matches!(
            client().get_bytes("ftp://127.0.0.1/x", 10),
            Err(LoadError::Unsupported { .. })
        ));
        assert!(client().get_bytes("not a url", 10).is_err());
    }

    #[test]
    fn unusual_characters_are_escaped_on_the_wire() {
        let (base, rx, server) = serve(1, |_| Reply::File(BODY));
        client()
            .get_bytes(&format!("{base}/p/foo-1.0^git1 x-1.noarch.rpm"), 1000)
            .unwrap();
        server.join().unwrap();
        let seen: Vec<String> = rx.try_iter().filter(|l| l.starts_with("GET")).collect();
        assert_eq!(seen, ["GET /p/foo-1.0%5Egit1%20x-1.noarch.rpm HTTP/1.1"]);
    }

    #[test]
    fn uses_the_proxy_unless_no_proxy_matches() {
        // The "proxy" records what it is asked and refuses; reaching it proves it was used.
        let (proxy, rx, proxy_server) = serve(1, |_| Reply::NotFound);
        let (origin, _orx, origin_server) = serve(1, |_| Reply::File(BODY));
        let proxied = HttpClient::new(HttpOptions {
            read_timeout: Duration::from_secs(2),
            proxy: ProxyConfig {
                http: Some(proxy.clone()),
                https: None,
                no_proxy: vec![],
            },
            ..HttpOptions::default()
        });
        let origin_authority = origin.trim_start_matches("http://").to_owned();
        let err = proxied.get_bytes(&format!("{origin}/x"), 1000).unwrap_err();
        assert!(err.to_string().contains("proxy"), "{err}");
        proxy_server.join().unwrap();
        let seen: Vec<String> = rx.try_iter().filter(|l| !l.contains("gent")).collect();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].contains(&origin_authority), "{seen:?}");

        let direct = HttpClient::new(HttpOptions {
            proxy: ProxyConfig {
                http: Some(proxy),
                https: None,
                no_proxy: vec!["127.0.0.0/8".into()],
            },
            ..HttpOptions::default()
        });
        assert_eq!(
            direct.get_bytes(&format!("{origin}/x"), 1000).unwrap(),
            BODY
        );
        origin_server.join().unwrap();
    }

    #[test]
    fn proxy_environment_follows_curl() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            ProxyConfig::from_lookup(move |name| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            })
        };
        let c = env(&[
            ("http_proxy", "http://p:3128"),
            ("HTTPS_PROXY", "http://s:3128"),
            (
                "no_proxy",
                "example.com, .internal,10.0.0.0/8 ,[::1],host:8080",
            ),
        ]);
        assert_eq!(c.proxy_for("http://x.org/a"), Some("http://p:3128"));
        assert_eq!(c.proxy_for("https://x.org/a"), Some("http://s:3128"));
        assert_eq!(c.proxy_for("https://example.com/a"), None);
        assert_eq!(c.proxy_for("https://mirror.example.com:8443/a"), None);
        assert_eq!(
            c.proxy_for("https://notexample.com/a"),
            Some("http://s:3128")
        );
        assert_eq!(c.proxy_for("http://a.b.internal/a"), None);
        assert_eq!(c.proxy_for("http://10.1.2.3/a"), None);
        assert_eq!(c.proxy_for("http://11.1.2.3/a"), Some("http://p:3128"));
        assert_eq!(c.proxy_for("http://[::1]:80/a"), None);
        assert_eq!(c.proxy_for("http://user@HOST/a"), None);
        assert_eq!(c.proxy_for("ftp://x.org/a"), None);

        let upper_http = env(&[("HTTP_PROXY", "http://evil:1")]);
        assert_eq!(upper_http.proxy_for("http://x.org/"), None);
        let all = env(&[("ALL_PROXY", "http://all:1"), ("https_proxy", "")]);
        assert_eq!(all.proxy_for("https://x.org/"), Some("http://all:1"));
        assert_eq!(all.proxy_for("http://x.org/"), Some("http://all:1"));
        let star = env(&[("http_proxy", "http://p:1"), ("NO_PROXY", "*")]);
        assert_eq!(star.proxy_for("http://x.org/"), None);
    }

    #[test]
    fn join_url_cases() {
        let href = "repodata/repomd.xml";
        assert_eq!(
            join_url("http://h/repo", href),
            "http://h/repo/repodata/repomd.xml"
        );
        assert_eq!(
            join_url("http://h/repo/", href),
            "http://h/repo/repodata/repomd.xml"
        );
        assert_eq!(join_url("http://h", href), "http://h/repodata/repomd.xml");
        assert_eq!(join_url("http://h/", href), "http://h/repodata/repomd.xml");
        assert_eq!(join_url("/srv/repo", href), "/srv/repo/repodata/repomd.xml");
        assert_eq!(
            join_url("/srv/repo/", href),
            "/srv/repo/repodata/repomd.xml"
        );
        assert_eq!(
            join_url("file:///srv/repo", href),
            "file:///srv/repo/repodata/repomd.xml"
        );
        assert_eq!(
            join_url("http://h/a/b/", "../pkgs/x.rpm"),
            "http://h/a/pkgs/x.rpm"
        );
        assert_eq!(join_url("http://h/a", "../../../x"), "http://h/x");
        assert_eq!(join_url("http://h/a/", "./x/./y"), "http://h/a/x/y");
        assert_eq!(join_url("http://h/a/", "/abs/x"), "http://h/abs/x");
        assert_eq!(join_url("https://h/a/", "//cdn/x"), "https://cdn/x");
        assert_eq!(join_url("http://h/a/", "https://o/x"), "https://o/x");
        assert_eq!(join_url("http://h/a?tok=1", "x"), "http://h/a/x");
        assert_eq!(join_url("repo", "../x"), "x");
        assert_eq!(join_url("", "x"), "x");
    }

    #[test]
    fn redirect_resolution() {
        assert_eq!(resolve_reference("http://h/a/b", "c"), "http://h/a/c");
        assert_eq!(resolve_reference("http://h/a/b", "../c"), "http://h/c");
        assert_eq!(resolve_reference("http://h/a/b?x", "/c"), "http://h/c");
        assert_eq!(
            resolve_reference("http://h/a/b", "?q=1"),
            "http://h/a/b?q=1"
        );
        assert_eq!(
            resolve_reference("http://h/a/b", "https://o/p"),
            "https://o/p"
        );
        assert_eq!(resolve_reference("http://h", "c"), "http://h/c");
    }

    #[test]
    fn request_escaping() {
        assert_eq!(
            escape_for_request("http://h/a%20b?x=1&y"),
            "http://h/a%20b?x=1&y"
        );
        assert_eq!(
            escape_for_request("http://h/ä^{}"),
            "http://h/%C3%A4%5E%7B%7D"
        );
    }

    #[test]
    fn tls_files_that_cannot_be_used_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = |tls: TlsFiles| match tls.config() {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        };
        let missing = dir.path().join("missing.pem");
        let e = err(TlsFiles {
            client_cert: Some(missing.clone()),
            ..TlsFiles::default()
        });
        assert!(
            e.starts_with(&format!(
                "{}: cannot read the client cert file",
                missing.display()
            )),
            "{e}"
        );
        let garbage = dir.path().join("garbage.pem");
        std::fs::write(
            &garbage,
            "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let e = err(TlsFiles {
            server_ca: Some(garbage.clone()),
            ..TlsFiles::default()
        });
        assert!(
            e.contains("garbage.pem: the CA file is not valid PEM"),
            "{e}"
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "just text\n").unwrap();
        let e = err(TlsFiles {
            server_ca: Some(empty.clone()),
            ..TlsFiles::default()
        });
        assert!(
            e.contains("empty.pem: no PEM certificate in the CA file"),
            "{e}"
        );
        assert!(TlsFiles::default().config().unwrap().is_none());
        // new() cannot fail: the reason comes back from every request
        let c = HttpClient::new(HttpOptions {
            tls: TlsFiles {
                client_cert: Some(missing),
                ..TlsFiles::default()
            },
            proxy: ProxyConfig::none(),
            ..HttpOptions::default()
        });
        let e = c
            .post_xml("https://127.0.0.1:1/x", b"")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("missing.pem") && e.contains("TLS files unusable"),
            "{e}"
        );
    }
}
