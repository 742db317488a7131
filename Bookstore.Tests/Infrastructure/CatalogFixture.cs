using Bookstore.Recommendations.Catalog;
using Bookstore.Recommendations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bookstore.Tests.Infrastructure;

/// <summary>
/// The Recommendations catalog in-process on a real SQLite file of its own (migrated as the service migrates it), for
/// tests of the service's logic without a process.
/// </summary>
public sealed class CatalogFixture : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bookstore-catalog-").FullName;
    private readonly ServiceProvider _services;

    private CatalogFixture(CatalogOptions options)
    {
        var collection = new ServiceCollection();
        collection.AddDbContextPool<SqliteCatalogDbContext>(db => db.UseSqlite($"Data Source={Path.Combine(_directory, "catalog.db")}"));
        collection.AddScoped<CatalogDbContext>(services => services.GetRequiredService<SqliteCatalogDbContext>());
        _services = collection.BuildServiceProvider();
        Catalog = new BookCatalog(_services.GetRequiredService<IServiceScopeFactory>(), Options.Create(options), TimeProvider.System);
    }

    public BookCatalog Catalog { get; }

    public static async Task<CatalogFixture> CreateAsync(CatalogOptions? options = null)
    {
        var fixture = new CatalogFixture(options ?? new CatalogOptions());
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
