using Bookstore.Recommendations.Catalog;
using Bookstore.Recommendations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bookstore.Tests.Infrastructure;

public enum CatalogProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The Recommendations catalog in-process on a real database of its own, migrated as the service migrates it: a SQLite
/// file, or a database on the test run's PostgreSQL server (<see cref="PostgresServer"/>). For tests of the service's
/// logic without a process.
/// </summary>
public sealed class CatalogFixture : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bookstore-catalog-").FullName;
    private readonly ServiceProvider _services;

    private CatalogFixture(CatalogOptions options, string? postgres)
    {
        var collection = new ServiceCollection();
        if (postgres is null)
        {
            collection.AddDbContextPool<SqliteCatalogDbContext>(db => db.UseSqlite($"Data Source={Path.Combine(_directory, "catalog.db")}"));
            collection.AddScoped<CatalogDbContext>(services => services.GetRequiredService<SqliteCatalogDbContext>());
        }
        else
        {
            collection.AddDbContextPool<PostgresCatalogDbContext>(db => db.UseNpgsql(postgres));
            collection.AddScoped<CatalogDbContext>(services => services.GetRequiredService<PostgresCatalogDbContext>());
        }

        _services = collection.BuildServiceProvider();
        Catalog = new BookCatalog(_services.GetRequiredService<IServiceScopeFactory>(), Options.Create(options), TimeProvider.System);
    }

    public BookCatalog Catalog { get; }

    public static async Task<CatalogFixture> CreateAsync(CatalogProvider provider = CatalogProvider.Sqlite, CatalogOptions? options = null)
    {
        var postgres = provider == CatalogProvider.Postgres ? await PostgresServer.CreateDatabaseAsync() : null;
        var fixture = new CatalogFixture(options ?? new CatalogOptions(), postgres);
        await using var scope = fixture._services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CatalogDbContext>().Database.MigrateAsync();
        return fixture;
    }

    /// <summary>Runs <paramref name="query"/> on a context of its own.</summary>
    public async Task<T> QueryAsync<T>(Func<CatalogDbContext, Task<T>> query)
    {
        await using var scope = _services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CatalogDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        Catalog.Dispose();
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
