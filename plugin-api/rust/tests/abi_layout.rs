// SPDX-License-Identifier: Apache-2.0
// The hand-written #[repr(C)] bindings in src/ffi.rs against the C header itself: a C program,
// generated from the same field list, prints sizeof/offsetof of every struct and field and the
// value of every constant as the C compiler sees them; each must equal the Rust value. Plus the
// 64-bit sizes that tests/plugin-api/abi_layout_test.cpp asserts on the C side.

use std::mem::{offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;

use danube_connectd_plugin::ffi::*;

/// (C expression, Rust value) for every size, offset and constant of the ABI.
macro_rules! layout {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {{
        let mut v: Vec<(String, u64)> = Vec::new();
        $(
            v.push((format!("sizeof({})", stringify!($ty)), size_of::<$ty>() as u64));
            $( v.push((format!("offsetof({}, {})", stringify!($ty), stringify!($field)), offset_of!($ty, $field) as u64)); )*
        )*
        v
    }};
}

fn rust_values() -> Vec<(String, u64)> {
    let mut v = layout! {
        dcx_str_t { data, size }
        dcx_attribute_t { key, value }
        dcx_offset_t { partition, value, metadata }
        dcx_record_t { struct_size, payload_kind, topic, payload, attributes, attribute_count, flags, key, offset,
                       user_token, event_time_ms }
        dcx_record_sink_t { struct_size, host_data, emit }
        dcx_producer_config_t { struct_size, partitions, topic, reliable_dispatch }
        dcx_producer_sink_t { struct_size, host_data, add }
        dcx_host_t { struct_size, abi_major, abi_minor, host_data, host_name, host_version, log, set_error, wakeup,
                     get_extension }
        dcx_source_t { struct_size, plugin_data, initialize, producer_configs, poll, commit, health_check, request_stop,
                       shutdown, destroy, get_extension }
        dcx_plugin_descriptor_t { struct_size, abi_major, abi_minor, id, name, version, description, create }
        dcx_ext_config_schema_t { struct_size, schema }
        dcx_ext_record_outcome_t { struct_size, on_outcome }
    };
    let constants: [(&str, i64); 24] = [
        ("DCX_ABI_VERSION_MAJOR", DCX_ABI_VERSION_MAJOR.into()),
        ("DCX_ABI_VERSION_MINOR", DCX_ABI_VERSION_MINOR.into()),
        ("DCX_STATUS_OK", DCX_STATUS_OK.into()),
        ("DCX_STATUS_NO_DATA", DCX_STATUS_NO_DATA.into()),
        ("DCX_STATUS_RETRYABLE", DCX_STATUS_RETRYABLE.into()),
        ("DCX_STATUS_INVALID_RECORD", DCX_STATUS_INVALID_RECORD.into()),
        ("DCX_STATUS_CONFIG", DCX_STATUS_CONFIG.into()),
        ("DCX_STATUS_FATAL", DCX_STATUS_FATAL.into()),
        ("DCX_LOG_TRACE", DCX_LOG_TRACE.into()),
        ("DCX_LOG_DEBUG", DCX_LOG_DEBUG.into()),
        ("DCX_LOG_INFO", DCX_LOG_INFO.into()),
        ("DCX_LOG_WARN", DCX_LOG_WARN.into()),
        ("DCX_LOG_ERROR", DCX_LOG_ERROR.into()),
        ("DCX_PAYLOAD_JSON", DCX_PAYLOAD_JSON.into()),
        ("DCX_PAYLOAD_STRING", DCX_PAYLOAD_STRING.into()),
        ("DCX_PAYLOAD_NUMBER", DCX_PAYLOAD_NUMBER.into()),
        ("DCX_PAYLOAD_BYTES", DCX_PAYLOAD_BYTES.into()),
        ("DCX_RECORD_HAS_KEY", DCX_RECORD_HAS_KEY.into()),
        ("DCX_RECORD_HAS_OFFSET", DCX_RECORD_HAS_OFFSET.into()),
        (
            "sizeof(DCX_PLUGIN_ENTRY_SYMBOL) - 1",
            DCX_PLUGIN_ENTRY_SYMBOL.len() as i64,
        ),
        ("sizeof(DCX_EXT_CONFIG_SCHEMA) - 1", DCX_EXT_CONFIG_SCHEMA.len() as i64),
        (
            "sizeof(DCX_EXT_RECORD_OUTCOME) - 1",
            DCX_EXT_RECORD_OUTCOME.len() as i64,
        ),
        (
            "DCX_ABI_IS_COMPATIBLE(1, 1, 1, 0)",
            dcx_abi_is_compatible(1, 1, 1, 0).into(),
        ),
        (
            "DCX_ABI_IS_COMPATIBLE(1, 0, 1, 1)",
            dcx_abi_is_compatible(1, 0, 1, 1).into(),
        ),
    ];
    v.extend(constants.iter().map(|(expr, value)| (expr.to_string(), *value as u64)));
    v
}

fn include_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include")
}

#[test]
fn bindings_have_the_64_bit_sizes_the_c_side_asserts() {
    if cfg!(target_pointer_width = "64") {
        assert_eq!(size_of::<dcx_str_t>(), 16);
        assert_eq!(size_of::<dcx_attribute_t>(), 32);
        assert_eq!(size_of::<dcx_offset_t>(), 40);
        assert_eq!(size_of::<dcx_record_t>(), 128);
        assert_eq!(size_of::<dcx_producer_config_t>(), 32);
        assert_eq!(size_of::<dcx_source_t>(), 88);
        assert_eq!(size_of::<dcx_plugin_descriptor_t>(), 56);
        // 1.1 grew dcx_record_t only at its end.
        assert_eq!(offset_of!(dcx_record_t, event_time_ms), 120);
        assert_eq!(offset_of!(dcx_record_t, user_token), 112);
    }
}

#[test]
fn extension_ids_and_the_entry_symbol_match_the_header_text() {
    let header = std::fs::read_to_string(include_dir().join("dcx/plugin_api.h")).unwrap();
    assert!(header.contains(&format!(
        "#define DCX_PLUGIN_ENTRY_SYMBOL \"{DCX_PLUGIN_ENTRY_SYMBOL}\""
    )));
    let schema = std::fs::read_to_string(include_dir().join("dcx/ext/config_schema.h")).unwrap();
    assert!(schema.contains(&format!("DCX_EXT_CONFIG_SCHEMA[] = \"{DCX_EXT_CONFIG_SCHEMA}\"")));
    let outcome = std::fs::read_to_string(include_dir().join("dcx/ext/record_outcome.h")).unwrap();
    assert!(outcome.contains(&format!("DCX_EXT_RECORD_OUTCOME[] = \"{DCX_EXT_RECORD_OUTCOME}\"")));
    let version = std::fs::read_to_string(include_dir().join("dcx/version.h")).unwrap();
    assert!(version.contains(&format!("#define DCX_ABI_VERSION_MAJOR {DCX_ABI_VERSION_MAJOR}\n")));
    assert!(version.contains(&format!("#define DCX_ABI_VERSION_MINOR {DCX_ABI_VERSION_MINOR}\n")));
}

#[test]
fn bindings_match_the_c_header_field_by_field() {
    let values = rust_values();
    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include \"dcx/plugin_api.h\"\n#include \"dcx/ext/config_schema.h\"\n\
         #include \"dcx/ext/record_outcome.h\"\nint main(void) {\n",
    );
    for (expr, _) in &values {
        c.push_str(&format!("    printf(\"%lld\\n\", (long long)({expr}));\n"));
    }
    c.push_str("    return 0;\n}\n");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("abi_layout");
    std::fs::create_dir_all(&dir).unwrap();
    let source = dir.join("probe.c");
    let binary = dir.join("probe");
    std::fs::write(&source, c).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let compiled = match Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wno-unused-const-variable", "-I"])
        .arg(include_dir())
        .arg("-o")
        .arg(&binary)
        .arg(&source)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("SKIPPED: no C compiler ({cc}) to compile the header with; only the fixed sizes were checked");
            return;
        }
        Err(e) => panic!("cannot run {cc}: {e}"),
    };
    assert!(
        compiled.status.success(),
        "{cc} failed:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let run = Command::new(&binary).output().unwrap();
    assert!(run.status.success());
    let printed: Vec<u64> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| l.parse::<i64>().unwrap() as u64)
        .collect();
    assert_eq!(printed.len(), values.len());
    let mismatches: Vec<String> = values
        .iter()
        .zip(&printed)
        .filter(|((_, rust), c)| rust != *c)
        .map(|((expr, rust), c)| format!("{expr}: C {c}, Rust {rust}"))
        .collect();
    assert!(
        mismatches.is_empty(),
        "the Rust bindings differ from the header:\n{}",
        mismatches.join("\n")
    );
    assert!(values.len() > 80, "{} values checked", values.len());
}
