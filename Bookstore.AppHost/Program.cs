using Bookstore.Hosting;
using Bookstore.Hosting.ApplicationModel;

var builder = DistributedApplication.CreateBuilder(args);

// The gRPC service: HTTP/2 without TLS, healthy when /health says so.
var recommendations = builder.AddProject<Projects.Bookstore_Recommendations>("recommendations")
    .AsHttp2Service()
    .WithHttpHealthCheck("/health");

// The web app: finds Recommendations by service discovery, starts once it is healthy.
builder.AddProject<Projects.Bookstore_Marketplace>("marketplace")
    .WithReference(recommendations)
    .WaitFor(recommendations)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

builder.Build().Run();
