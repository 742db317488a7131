using Bookstore.Recommendations.Catalog;
using Bookstore.Recommendations.Data;
using Bookstore.Recommendations.Extensions;
using Bookstore.Recommendations.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

// Disposed on every way out, the command and the failed migration included: that is what writes the console logger's
// last queued lines (the reason a migration failed, "Applied 1 migration(s)") and flushes OpenTelemetry.
await using var app = builder.Build();

// `migrate`: apply the catalog's migrations and exit (the deployments' migration job, or by hand).
if (args is [CatalogMigrator.CommandName])
{
    return await app.RunCommandAsync();
}

if (!await app.MigrateOnStartAsync())
{
    return CatalogMigrator.FailureExitCode;
}

await app.WarmUpCatalogAsync();

// Under mutual TLS, a call without a client certificate is refused (health probes excepted).
app.UseClientCertificateRequirement();
app.MapDefaultEndpoints();
app.MapApplicationEndpoints();

await app.RunAsync();
return 0;
