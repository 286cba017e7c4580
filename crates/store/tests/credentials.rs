//! Credentials come from the standard AWS variables or profile files; a missing set is a clear
//! error. A separate test binary, because it changes the process environment.

mod common;

use common::{assert_no_secret, Moto, ACCESS_KEY, SECRET_KEY};
use selecta_store::{Location, StoreError};

/// The tests below change process-wide variables: one at a time.
static ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn clear_aws_env(dir: &std::path::Path) {
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("AWS_CONFIG_FILE", dir.join("config"));
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"));
}

#[tokio::test]
async fn no_credentials_anywhere_is_a_clear_error() {
    let _guard = ENV.lock().await;
    let moto = Moto::start();
    moto.create_bucket("creds");
    let dir = tempfile::tempdir().unwrap();
    clear_aws_env(dir.path());

    let err = moto
        .store()
        .get(&"s3://creds/k".parse::<Location>().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Credentials { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("s3://creds/k") && text.contains("AWS_ACCESS_KEY_ID"),
        "{text}"
    );
}

#[tokio::test]
async fn credentials_from_a_profile_file_work() {
    let _guard = ENV.lock().await;
    let moto = Moto::start();
    moto.create_bucket("creds");
    let dir = tempfile::tempdir().unwrap();
    clear_aws_env(dir.path());
    std::fs::write(
        dir.path().join("credentials"),
        format!(
            "[selecta]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ),
    )
    .unwrap();
    std::env::set_var("AWS_PROFILE", "selecta");

    let store = moto.store();
    let at: Location = "s3://creds/from-profile".parse().unwrap();
    store.put(&at, b"signed with the profile").await.unwrap();
    assert_eq!(store.get(&at).await.unwrap(), b"signed with the profile");
    let err = store
        .get(&"s3://creds/missing".parse::<Location>().unwrap())
        .await
        .unwrap_err();
    assert_no_secret(&format!("{err} {err:?}"));
}
