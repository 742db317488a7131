using Bookstore.AppHost.Extensions;

var builder = DistributedApplication.CreateBuilder(args);

// The gRPC service: HTTP/2 without TLS (h2c), healthy once /health answers over HTTP/2.
var recommendations = builder.AddProject<Projects.Bookstore_Recommendations>("recommendations")
    .AsHttp2Service()
    .WithTransportHealthCheck("/health");

// The web app: finds Recommendations by service discovery (every replica's address), starts once it is healthy.
builder.AddProject<Projects.Bookstore_Marketplace>("marketplace")
    .WithReference(recommendations)
    .WithReplicaAddresses(recommendations)
    .WaitFor(recommendations)
    .WithExternalHttpEndpoints()
    .WithTransportHealthCheck("/health");

// Our fixes for how Aspire 13.6 behaves here (Extensions/; the README says what upstream does and why).
builder.RunProjectsFromBuildOutput();
builder.UseKeptDcpCertificate();
builder.AddOrderedShutdown();
builder.WithoutOtlpWhenNoDashboard();
builder.AddConsoleReport();

builder.Build().Run();
