// swift-tools-version:6.0
import PackageDescription

// Layers, lowest first. A target may import only the ones above it in this list:
//   CaseportCore   – rules and values, Foundation only
//   CaseportPDF    – the PDF writer (TrueType subsetting, layout, the case report); Foundation + zlib
//   CaseportStore  – Fluent models, migrations, scoped queries (SQLite + PostgreSQL), the case-event stream
//   CaseportOperations – one operation per user action; no Vapor, no Request
//   CaseportWeb    – Vapor app: routes, middleware, pages
//   caseport       – the executable
//   CaseportBenchData – set-based seeding of a large data set (benchmarks, render measurement)
//   caseport-bench – the benchmarks (timings), never part of `caseport`
let package = Package(
    name: "Caseport",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "caseport", targets: ["caseport"]),
        .executable(name: "caseport-bench", targets: ["caseport-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.21.0"),
        // The JSON API (issue 16): code generated once from Sources/CaseportAPI/openapi.yaml by
        // scripts/generate-api.sh (swift-openapi-generator, built outside the package) needs these two.
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/vapor/swift-openapi-vapor.git", from: "1.2.0"),
    ],
    targets: [
        .target(name: "CaseportCore"),
        // The system zlib (FlateDecode streams, PNG logos); its headers come with zlib1g-dev, which
        // swift-nio-extras needs as well.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "CaseportPDF", dependencies: ["CZlib"]),
        .target(
            name: "CaseportStore",
            dependencies: [
                "CaseportCore",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CaseportOperations",
            dependencies: [
                "CaseportCore",
                "CaseportStore",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
        // The API's generated types and server stubs (scripts/generate-api.sh); no Caseport code.
        .target(
            name: "CaseportAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            exclude: ["openapi.yaml", "openapi-generator-config.yaml"]
        ),
        .target(
            name: "CaseportWeb",
            dependencies: [
                "CaseportAPI",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIVapor", package: "swift-openapi-vapor"),
                "CaseportCore",
                "CaseportStore",
                "CaseportOperations",
                "CaseportPDF",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                // The SMTP client (E1) speaks to the mail server directly over NIO, with TLS.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // The object store (S3FileStorage): streamed uploads and downloads, SigV4 over Crypto.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA signatures of OpenID Connect ID tokens (RS256); already built for swift-certificates.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "caseport",
            dependencies: ["CaseportWeb", "CaseportStore", "CaseportCore", .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")]
        ),
        // Set-based seeding of a large data set, for the benchmarks and the render-cost measurement;
        // never linked into `caseport`.
        .target(
            name: "CaseportBenchData",
            dependencies: [
                "CaseportStore", "CaseportCore",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
        // The benchmarks: `caseport-bench cases|outbox|import` (docs/PERFORMANCE.md).
        .executableTarget(
            name: "caseport-bench",
            dependencies: [
                "CaseportBenchData", "CaseportWeb", "CaseportStore", "CaseportCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
        // Builds throw-away databases (SQLite, or PostgreSQL when DATABASE_URL is set) for the tests.
        .target(
            name: "CaseportTestSupport",
            dependencies: [
                "CaseportStore", "CaseportCore",
                .product(name: "FluentKit", package: "fluent-kit"),
                // PostgresNIO's own connections: the pool's claims (advisory locks) live on one.
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Tests/CaseportTestSupport"
        ),
        .testTarget(name: "CaseportCoreTests", dependencies: ["CaseportCore"]),
        .testTarget(name: "CaseportPDFTests", dependencies: ["CaseportPDF"]),
        .testTarget(
            name: "CaseportStoreTests",
            dependencies: ["CaseportStore", "CaseportCore", "CaseportTestSupport"]
        ),
        .testTarget(
            name: "CaseportOperationsTests",
            dependencies: ["CaseportOperations", "CaseportStore", "CaseportCore", "CaseportTestSupport"]
        ),
        .testTarget(
            name: "CaseportWebTests",
            dependencies: [
                "CaseportWeb", "CaseportOperations", "CaseportStore", "CaseportCore", "CaseportTestSupport",
                "CaseportBenchData", "CaseportAPI",
                .product(name: "XCTVapor", package: "vapor"),
            ],
            // Mail gate fixtures (raw .eml files), read from disk by the tests.
            exclude: ["Fixtures"]
        ),
    ]
)
