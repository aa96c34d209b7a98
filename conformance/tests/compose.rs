//! `compose.yaml` cannot be run on every machine (Debian's docker-compose 1.29 rejects
//! its top-level `name` and inline `configs.content`, and Compose v2 is not packaged),
//! so these tests check it instead: it is valid against the Compose Specification's
//! JSON schema (vendored in `tests/compose/`), and each service runs the image, port,
//! credentials, command, tmpfs and init files that the containers path uses
//! (`toasty_conformance::containers_spec`, which `toasty-conformance containers` turns
//! into testcontainers requests), with its port published on 127.0.0.1 only.

use serde_json::{Map, Number, Value};
use std::path::{Path, PathBuf};
use toasty_conformance::containers_spec::Service;
use yaml_rust2::{Yaml, YamlLoader};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("conformance/ has a parent")
        .to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// A YAML document as JSON, the data model the schema describes.
fn to_json(yaml: &Yaml, at: &str) -> Value {
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::Number((*i).into()),
        Yaml::Real(r) => {
            let f: f64 = r.parse().unwrap_or_else(|_| panic!("{at}: bad number {r}"));
            Value::Number(Number::from_f64(f).unwrap_or_else(|| panic!("{at}: {r} is not finite")))
        }
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_json(item, &format!("{at}/{i}")))
                .collect(),
        ),
        Yaml::Hash(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let key = match key {
                    Yaml::String(s) | Yaml::Real(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    other => panic!("{at}: unsupported mapping key {other:?}"),
                };
                let child = to_json(value, &format!("{at}/{key}"));
                out.insert(key, child);
            }
            Value::Object(out)
        }
        Yaml::Alias(_) | Yaml::BadValue => panic!("{at}: aliases are not used in compose.yaml"),
    }
}

fn load_yaml(text: &str) -> Value {
    let docs = YamlLoader::load_from_str(text).expect("compose.yaml is valid YAML");
    assert_eq!(docs.len(), 1, "compose.yaml holds one YAML document");
    to_json(&docs[0], "")
}

fn compose() -> Value {
    load_yaml(&read(&repo_root().join("compose.yaml")))
}

fn validator() -> jsonschema::Validator {
    let path = repo_root().join("conformance/tests/compose/compose-spec.json");
    let schema: Value = serde_json::from_str(&read(&path)).expect("the schema is JSON");
    // The schema declares draft 7; asked for explicitly, so no meta-schema is fetched.
    jsonschema::draft7::new(&schema).expect("the Compose schema compiles")
}

/// The schema's complaints about `doc`, one line each.
fn schema_errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn compose_yaml_is_valid_against_the_compose_specification() {
    let validator = validator();
    let errors = schema_errors(&validator, &compose());
    assert!(
        errors.is_empty(),
        "compose.yaml does not follow the Compose Specification:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_schema_check_rejects_what_compose_would_reject() {
    let validator = validator();
    let mut doc = compose();
    assert!(schema_errors(&validator, &doc).is_empty());
    // A misspelt key, a port of the wrong shape, an unknown top-level section.
    doc["services"]["postgres"]["enviroment"] = Value::String("x".into());
    doc["services"]["mysql"]["ports"] = Value::Bool(true);
    doc["volumez"] = Value::Object(Map::new());
    let errors = schema_errors(&validator, &doc).join("\n");
    assert!(errors.contains("enviroment"), "{errors}");
    assert!(errors.contains("/services/mysql/ports"), "{errors}");
    assert!(errors.contains("volumez"), "{errors}");
}

fn service(doc: &Value, s: Service) -> &Value {
    let found = &doc["services"][s.name()];
    assert!(
        found.is_object(),
        "compose.yaml has no service `{}`",
        s.name()
    );
    found
}

/// A compose `command` (a string split like a shell's words, or a list) as words.
fn command_words(command: &Value) -> Vec<String> {
    match command {
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().expect("command words are strings").to_string())
            .collect(),
        other => panic!("command is neither a string nor a list: {other}"),
    }
}

/// A compose `environment` (a mapping or a list of `KEY=VALUE`) as sorted pairs.
fn environment(env: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = match env {
        Value::Null => Vec::new(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                let (k, v) = i
                    .as_str()
                    .and_then(|s| s.split_once('='))
                    .expect("KEY=VALUE");
                (k.to_string(), v.to_string())
            })
            .collect(),
        other => panic!("environment is neither a mapping nor a list: {other}"),
    };
    pairs.sort();
    pairs
}

/// The host port a service publishes: its one `ports` entry must be
/// `127.0.0.1:<host>:<container port>`.
fn published_port(doc: &Value, s: Service) -> u16 {
    let ports = service(doc, s)["ports"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: ports is a list", s.name()));
    assert_eq!(ports.len(), 1, "{}: one published port", s.name());
    let entry = ports[0]
        .as_str()
        .unwrap_or_else(|| panic!("{}: the port is written as a string", s.name()));
    let parts: Vec<&str> = entry.split(':').collect();
    assert_eq!(
        parts.len(),
        3,
        "{}: `{entry}` is not HOST_IP:HOST_PORT:CONTAINER_PORT",
        s.name()
    );
    assert_eq!(
        parts[0],
        "127.0.0.1",
        "{}: published on 127.0.0.1 only",
        s.name()
    );
    assert_eq!(
        parts[2],
        s.container_port().to_string(),
        "{}: the server's port in the container",
        s.name()
    );
    parts[1]
        .parse()
        .unwrap_or_else(|_| panic!("{}: host port `{}` is a number", s.name(), parts[1]))
}

#[test]
fn services_match_the_containers_path() {
    let doc = compose();
    let services = doc["services"].as_object().expect("services");
    let mut names: Vec<&str> = services.keys().map(String::as_str).collect();
    names.sort();
    let mut expected: Vec<&str> = Service::ALL.iter().map(|s| s.name()).collect();
    expected.sort();
    assert_eq!(names, expected, "one service per server backend");

    for s in Service::ALL {
        let svc = service(&doc, s);
        let name = s.name();
        // The same image, replaceable through the same variable.
        assert_eq!(
            svc["image"].as_str(),
            Some(format!("${{{}:-{}}}", s.image_var(), s.default_image()).as_str()),
            "{name}: image"
        );
        let want_env: Vec<(String, String)> = {
            let mut v: Vec<(String, String)> = s
                .env()
                .iter()
                .map(|&(k, v)| (k.to_string(), v.to_string()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            environment(&svc["environment"]),
            want_env,
            "{name}: credentials"
        );
        assert_eq!(
            command_words(&svc["command"]),
            s.cmd().to_vec(),
            "{name}: command"
        );
        let tmpfs: Vec<&str> = match &svc["tmpfs"] {
            Value::Null => Vec::new(),
            Value::String(one) => vec![one.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            other => panic!("{name}: tmpfs is {other}"),
        };
        assert_eq!(
            tmpfs,
            s.tmpfs().into_iter().collect::<Vec<_>>(),
            "{name}: tmpfs"
        );
        published_port(&doc, s);
        assert!(
            svc["healthcheck"]["test"].is_array(),
            "{name}: a health check, so that `up --wait` waits for the server"
        );

        // Init files: each one a config with inline content, mounted at the same path.
        let configs = svc["configs"].as_array().cloned().unwrap_or_default();
        assert_eq!(
            configs.len(),
            s.init_files().len(),
            "{name}: one config per init file"
        );
        for &(path, contents) in s.init_files() {
            let entry = configs
                .iter()
                .find(|c| c["target"].as_str() == Some(path))
                .unwrap_or_else(|| panic!("{name}: no config mounted at {path}"));
            let source = entry["source"].as_str().expect("source");
            assert_eq!(
                doc["configs"][source]["content"].as_str(),
                Some(contents),
                "{name}: the contents of {path}"
            );
        }
    }
}

#[test]
fn the_urls_in_the_header_are_the_published_ports() {
    let text = read(&repo_root().join("compose.yaml"));
    let doc = load_yaml(&text);
    for s in Service::ALL {
        let want = format!("export {}={}", s.env_var(), s.url(published_port(&doc, s)));
        assert!(
            text.lines()
                .any(|l| l.trim_start_matches('#').trim() == want),
            "compose.yaml's header should say `{want}`"
        );
    }
}

#[test]
fn the_image_variables_are_the_ones_the_scripts_use() {
    let root = repo_root();
    let build = read(&root.join("scripts/containers/build-images.sh"));
    let test = read(&root.join("scripts/test"));
    for s in Service::ALL {
        assert!(
            build.contains(s.image_var()),
            "build-images.sh tags {} images through {}",
            s.name(),
            s.image_var()
        );
        assert!(
            test.contains(s.image_var()),
            "scripts/test passes {} on",
            s.image_var()
        );
    }
}
