using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bookstore.Recommendations.Data;

/// <summary>
/// Ready only when the database answers and its schema has every migration this build knows: a new version waits
/// (unready, old replicas keep serving) until the migration job has run.
/// </summary>
public sealed class CatalogSchemaHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<CatalogDbContext>().Database;
        try
        {
            var pending = (await database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"The catalog database lacks {pending.Count} migration(s): run the migrate command.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The catalog database does not answer.", exception);
        }
    }
}
