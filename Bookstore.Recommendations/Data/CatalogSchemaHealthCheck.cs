using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bookstore.Recommendations.Data;

/// <summary>
/// Ready only once the database has every migration this build knows: a new version waits (unready, old replicas keep
/// serving) until the migration job has run. Once it has, that cannot change for this process, so the check stops
/// asking: health probes (gRPC health Check runs the checks on every call) cost no query. (With the query on every
/// probe, health Check took 434 µs of CPU instead of 17 µs, bench/run.sh.)
/// </summary>
public sealed class CatalogSchemaHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    private volatile bool _current;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_current)
        {
            return HealthCheckResult.Healthy();
        }

        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<CatalogDbContext>().Database;
        try
        {
            var pending = (await database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            _current = pending.Count == 0;
            return _current
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"The catalog database lacks {pending.Count} migration(s): run the migrate command.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The catalog database does not answer.", exception);
        }
    }
}
