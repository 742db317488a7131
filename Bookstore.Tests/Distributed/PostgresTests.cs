using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bookstore.Tests.Distributed;

/// <summary>
/// The app on PostgreSQL (<c>--database postgres</c>): Aspire's PostgreSQL integration runs our Debian-built image in the
/// Docker engine (scripts/test.sh starts one and builds the image), creates the database, and hands the service
/// <c>ConnectionStrings__catalog</c>.
/// </summary>
[Collection(AspireApps.Name)]
public sealed class PostgresTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact(Timeout = AspireApps.TestTimeout)]
    public async Task On_postgres_pages_show_books_and_a_rating_outlives_a_restart_of_recommendations()
    {
        await using var app = await BookstoreApp.StartAsync(args: ["--database", "postgres"], configure: builder =>
        {
            // A database of its own for each run: without the named data volume of Program.cs.
            var postgres = builder.Resources.OfType<PostgresServerResource>().Single();
            foreach (var mount in postgres.Annotations.OfType<ContainerMountAnnotation>().ToList())
            {
                postgres.Annotations.Remove(mount);
            }
        });
        using var http = app.CreateHttpClient(BookstoreApp.Marketplace);

        var environment = await BookstoreApp.EnvironmentAsync(app, BookstoreApp.Recommendations);
        Assert.StartsWith("Host=", environment["ConnectionStrings__catalog"], StringComparison.Ordinal);
        Assert.Contains("Database=catalog", environment["ConnectionStrings__catalog"], StringComparison.Ordinal);
        Assert.DoesNotContain(environment.Keys, name => name.StartsWith("CATALOG_", StringComparison.Ordinal));
        Assert.Equal(3, BookstoreApp.CountBooks(await http.GetStringAsync("/", Cancellation)));

        using (var rated = await http.PostAsJsonAsync("/api/books/7/ratings", new { userId = 77, stars = 4 }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, rated.StatusCode);
        }

        var replica = (await BookstoreApp.ReplicasAsync(app, BookstoreApp.Recommendations)).Single();
        await BookstoreApp.ExecuteAsync(app, replica.Id, KnownResourceCommands.RestartCommand);
        // The new process, healthy (by replica id: Aspire's wait by name gives up on the old process's exit).
        await BookstoreApp.WaitForReplicaAsync(app, replica.Id,
            snapshot => snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy
                && BookstoreApp.ProcessId(snapshot) is { } id && id != replica.ProcessId,
            within: TimeSpan.FromSeconds(30));

        // The rating dropped book 7 from the Marketplace's cache, so this reads it through the restarted Recommendations
        // from PostgreSQL; and Recommend skips the book for the user who rated it.
        using var book = JsonDocument.Parse(await http.GetStringAsync("/api/books/7", Cancellation));
        Assert.Equal(1, book.RootElement.GetProperty("ratingCount").GetInt32());
        using var recommendations = JsonDocument.Parse(await http.GetStringAsync("/api/recommendations?category=self-help&max=100&userId=77", Cancellation));
        Assert.DoesNotContain(7, recommendations.RootElement.GetProperty("books").EnumerateArray().Select(b => b.GetProperty("id").GetInt32()));
    }
}
