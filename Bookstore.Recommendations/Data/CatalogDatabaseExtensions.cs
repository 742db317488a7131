using System.Data.Common;
using System.Runtime.CompilerServices;
using Bookstore.Recommendations.Catalog;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Bookstore.Recommendations.Data;

/// <summary>
/// Chooses the catalog's database from Aspire's connection string <c>ConnectionStrings__catalog</c>: a PostgreSQL one
/// (<c>Host=…</c>, as Aspire's <c>AddPostgres(…).AddDatabase("catalog")</c> writes it) goes through Aspire's Npgsql
/// integration; none, or a SQLite one (<c>Data Source=…</c>), is a SQLite file, by default <c>data/catalog.db</c> under
/// the content root. Nothing else to install for the default.
/// </summary>
public static class CatalogDatabaseExtensions
{
    public const string ConnectionName = "catalog";
    public const string DefaultSqliteFile = "data/catalog.db";

    public static IHostApplicationBuilder AddCatalogDatabase(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (IsPostgres(connectionString))
        {
            AddPostgres(builder);
        }
        else
        {
            var sqlite = SqliteConnectionString(connectionString, builder.Environment.ContentRootPath);
            builder.Services.AddDbContextPool<SqliteCatalogDbContext>(options => options.UseSqlite(sqlite));
            builder.Services.AddScoped<CatalogDbContext>(services => services.GetRequiredService<SqliteCatalogDbContext>());
        }

        builder.Services.AddOptions<CatalogOptions>()
            .Bind(builder.Configuration.GetSection(CatalogOptions.SectionName))
            .PostConfigure(options => options.MigrateOnStart ??= builder.Environment.IsDevelopment() || !IsPostgres(connectionString));
        // A singleton: AddCheck<T> would otherwise make a new instance (and ask the database) on every probe.
        builder.Services.AddSingleton<CatalogSchemaHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<CatalogSchemaHealthCheck>("catalog-schema");
        return builder;
    }

    // A method of its own, not inlined: on SQLite the JIT never meets Npgsql's types, so its assemblies stay unloaded.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddPostgres(IHostApplicationBuilder builder)
    {
        // Pooling, retries on transient errors, health check, traces and metrics: Aspire's defaults.
        builder.AddNpgsqlDbContext<PostgresCatalogDbContext>(ConnectionName);
        builder.Services.AddScoped<CatalogDbContext>(services => services.GetRequiredService<PostgresCatalogDbContext>());
    }

    private static bool IsPostgres(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return false;
        }

        var keys = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (keys.ContainsKey("Host") || keys.ContainsKey("Server"))
        {
            return true;
        }

        if (keys.ContainsKey("Data Source") || keys.ContainsKey("DataSource") || keys.ContainsKey("Filename"))
        {
            return false;
        }

        throw new InvalidOperationException(
            $"ConnectionStrings:{ConnectionName} is neither a PostgreSQL connection string (Host=…;Database=…) nor a SQLite one (Data Source=FILE). Leave it unset for the default SQLite file {DefaultSqliteFile}.");
    }

    /// <summary>A relative file is under the content root; its folder is created.</summary>
    private static string SqliteConnectionString(string? connectionString, string contentRoot)
    {
        var sqlite = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(connectionString) ? $"Data Source={DefaultSqliteFile}" : connectionString);
        if (sqlite.DataSource != ":memory:" && sqlite.Mode != SqliteOpenMode.Memory)
        {
            sqlite.DataSource = Path.GetFullPath(sqlite.DataSource, contentRoot);
            Directory.CreateDirectory(Path.GetDirectoryName(sqlite.DataSource)!);
        }

        return sqlite.ToString();
    }
}
