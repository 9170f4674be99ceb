//! Test databases: each PostgreSQL test creates and drops its own database
//! on the server named by `TANSIQ_TEST_POSTGRES`.

use sqlx::Connection;

/// A database created for one test on the test server.
pub struct TestDb {
    server: String,
    name: String,
    pub url: String,
}

impl TestDb {
    /// Creates a fresh database named after the test and this process (a
    /// leftover of a crashed earlier run is dropped first).
    pub async fn create(server: &str, test: &str) -> TestDb {
        let name = format!("tansiq_store_{}_{}", test, std::process::id()).to_lowercase();
        assert!(name.len() <= 63, "database name {name} is too long");
        let mut conn = sqlx::PgConnection::connect(server)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test server {server}: {e}"));
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        }
        let _ = conn.close().await;
        TestDb {
            url: with_database(server, &name),
            server: server.to_string(),
            name,
        }
    }

    /// Drops the database (closing whatever connections remain).
    pub async fn drop_db(self) {
        let mut conn = sqlx::PgConnection::connect(&self.server)
            .await
            .expect("reconnect to drop the test database");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut conn)
        .await
        .expect("drop the test database");
        let _ = conn.close().await;
    }
}

/// `url` with its database replaced by `name` (query string kept).
pub fn with_database(url: &str, name: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let (base, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let host_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..host_end])
}

#[test]
fn with_database_replaces_only_the_path() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres?sslmode=disable", "x"),
        "postgres://u@h:5432/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}
