//! Invalid models are compile errors that point at the attribute at fault.

#[test]
fn invalid_models_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
