namespace Bookstore.Recommendations.Catalog;

/// <summary>
/// Runs each of the catalog's queries once before the service listens: EF Core builds its model and compiles a query
/// on first use (a second and more on a cold start), which would otherwise fall on the first calls and run past the
/// callers' deadlines. A database that cannot answer yet (the migration job has not run) is only logged: the readiness
/// check says so, and the queries warm up on first use instead.
/// </summary>
public static partial class CatalogWarmUp
{
    public static async Task WarmUpCatalogAsync(this WebApplication app)
    {
        var catalog = app.Services.GetRequiredService<BookCatalog>();
        var cancellationToken = app.Lifetime.ApplicationStopping;
        try
        {
            var books = await catalog.FindByCategoryAsync(default, cancellationToken);
            await catalog.RatedByAsync(0, cancellationToken);
            if (books is [var first, ..])
            {
                await catalog.GetAsync(first.Book.Id, userId: 0, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogNotWarmedUp(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CatalogWarmUp)), exception);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The catalog could not be read at start; its queries will warm up on first use")]
    private static partial void LogNotWarmedUp(ILogger logger, Exception exception);
}
