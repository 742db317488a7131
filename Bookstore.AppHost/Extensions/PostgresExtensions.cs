namespace Bookstore.AppHost.Extensions;

public static class PostgresExtensions
{
    /// <summary>The configuration value that switches the catalog to PostgreSQL: <c>--database postgres</c>.</summary>
    public const string DatabaseKey = "Database";

    public const string Image = "bookstore/postgres";
    public const string ImageTag = "15";

    /// <summary>
    /// Whether the catalog runs on PostgreSQL: when <c>Database=postgres</c> is configured (command line, environment,
    /// user secrets), and always when publishing, because every deployment runs it. Otherwise SQLite, nothing to install.
    /// </summary>
    public static bool UsesPostgres(this IDistributedApplicationBuilder builder)
    {
        var database = builder.Configuration[DatabaseKey];
        if (builder.ExecutionContext.IsPublishMode || string.Equals(database, "postgres", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return string.IsNullOrEmpty(database) || string.Equals(database, "sqlite", StringComparison.OrdinalIgnoreCase)
            ? false
            : throw new InvalidOperationException($"{DatabaseKey} is \"{database}\": use sqlite (the default) or postgres.");
    }

    /// <summary>
    /// The PostgreSQL image built from Debian's packages by scripts/build-postgres-image.sh (no public registry is reachable
    /// here). It answers to the official image's variables (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_INITDB_ARGS, …),
    /// so Aspire's PostgreSQL integration works with it unchanged. Its data directory is where Aspire mounts the volume
    /// for tag 15 (/var/lib/postgresql/data).
    /// </summary>
    public static IResourceBuilder<PostgresServerResource> WithDebianPostgresImage(this IResourceBuilder<PostgresServerResource> postgres) =>
        postgres.WithImage(Image, ImageTag).WithImageRegistry(null);
}
