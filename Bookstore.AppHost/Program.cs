using Bookstore.AppHost.Extensions;

// The dashboard's API keys are this run's own, not the ones Aspire shares through user secrets (Extensions/RunScopedDashboardKeys.cs).
var builder = DistributedApplication.CreateBuilder(RunScopedDashboardKeys.AddTo(args));

// Calls between the services: mutual TLS with the app's own CA by default (`-- --TransportSecurity Tls|Plain` for
// less); the certificates are made on first run into Bookstore.AppHost/.certs/ (Extensions/TransportSecurityExtensions.cs).
var security = builder.AddTransportSecurity();

// The gRPC service: HTTP/2 (over TLS with ALPN, or h2c when plain), healthy once /health answers. Without a "catalog"
// connection string it keeps its catalog in a SQLite file (data/catalog.db): nothing to install.
var recommendations = builder.AddProject<Projects.Bookstore_Recommendations>("recommendations", launchProfileName: security.EndpointName)
    .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString)   // ConnectionStrings__catalog only
    .AsHttp2Service()
    .WithServerTransportSecurity(security)
    .WithTransportHealthCheck("/health", security.EndpointName, security);

// PostgreSQL instead (`dotnet run --project Bookstore.AppHost -- --database postgres`; needs a container engine), and
// always in the published manifest, from which the Compose and Kubernetes files are generated.
if (builder.UsesPostgres())
{
    var catalog = builder.AddPostgres("postgres")
        .WithDebianPostgresImage()
        .WithDataVolume("bookstore-postgres-data")
        .AddDatabase("catalog");
    recommendations.WithReference(catalog).WaitFor(catalog);
}

// The web app: finds Recommendations by service discovery (every replica's address), starts once it is healthy.
builder.AddProject<Projects.Bookstore_Marketplace>("marketplace")
    .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ServiceDiscovery)   // services__recommendations__* only
    .WithReference(recommendations)
    .WithReplicaAddresses(recommendations, security.EndpointName)
    .WithClientTransportSecurity(security)
    .WithSharedKeyRing()   // published: one Data Protection key ring for every replica (its antiforgery tokens)
    .WaitFor(recommendations)
    .WithExternalHttpEndpoints()
    .WithTransportHealthCheck("/health");

// Our fixes for how Aspire 13.6 behaves here (Extensions/; the README says what upstream does and why).
builder.RunProjectsFromBuildOutput();
builder.DelayServicesTierUpWhileStarting();
builder.UseKeptDcpCertificate();
builder.AddOrderedShutdown();
builder.WithoutOtlpWhenNoDashboard();
builder.AddConsoleReport();
builder.RaiseServicesPriorityWhileStarting();
builder.WithoutContainerRuntimeWhenNoContainers();   // last: it looks at the whole model

builder.Build().Run();
