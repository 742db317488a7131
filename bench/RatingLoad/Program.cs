// bench/ratings.sh's load: CLIENTS concurrent callers (one HTTP/2 connection each) send calls for SECONDS, first
// grpc.health.v1 Check (the baseline: the cheapest call of the same server), then RateBook with a new (user, book) pair
// per call. Prints throughput and latency of both, then checks that every acknowledged rating is in the database: the
// SQLite file given, or with "postgres" the PostgreSQL database in RATINGLOAD_POSTGRES (a connection string; from the
// environment, not the command line, because it holds a password).
// Usage: RatingLoad ADDRESS SQLITE_FILE|postgres [CLIENTS=16] [SECONDS=20]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Bookstore.Protos;
using Grpc.Health.V1;
using Grpc.Net.Client;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

var address = new Uri(args[0]);
var database = args[1];
var clients = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
var seconds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
var channels = Enumerable.Range(0, clients).Select(_ => GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() })).ToList();

await RunAsync("warm-up", TimeSpan.FromSeconds(5), (channel, client, i) => new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);
var check = await RunAsync("Health/Check", TimeSpan.FromSeconds(seconds), (channel, client, i) => new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);
var acknowledged = new ConcurrentBag<(int User, int Book, int Stars)>();
var rate = await RunAsync("RateBook", TimeSpan.FromSeconds(seconds), async (channel, client, i) =>
{
    var request = new RateBookRequest { UserId = 1_000_000 + (client * 10_000_000) + i, BookId = (i % 36) + 1, Stars = (i % 5) + 1 };
    await new Recommendations.RecommendationsClient(channel).RateBookAsync(request).ResponseAsync;
    acknowledged.Add((request.UserId, request.BookId, request.Stars));
});

Console.WriteLine(FormattableString.Invariant($"ratio RateBook/Check {rate / check:0.000}"));

// Nothing acknowledged is missing.
using DbConnection connection = database == "postgres"
    ? new NpgsqlConnection(Environment.GetEnvironmentVariable("RATINGLOAD_POSTGRES") ?? throw new InvalidOperationException("RATINGLOAD_POSTGRES is not set."))
    : new SqliteConnection($"Data Source={database};Mode=ReadOnly");
connection.Open();
using var command = connection.CreateCommand();
command.CommandText = "SELECT \"Stars\" FROM \"Ratings\" WHERE \"UserId\" = @user AND \"BookId\" = @book";
var user = command.CreateParameter();
user.ParameterName = "@user";
var book = command.CreateParameter();
book.ParameterName = "@book";
command.Parameters.Add(user);
command.Parameters.Add(book);
var missing = 0;
foreach (var rating in acknowledged)
{
    user.Value = rating.User;
    book.Value = rating.Book;
    if (command.ExecuteScalar() is not { } stars || Convert.ToInt32(stars, CultureInfo.InvariantCulture) != rating.Stars)
    {
        missing++;
    }
}

Console.WriteLine($"acknowledged {acknowledged.Count}, missing from the database {missing}");
return missing == 0 ? 0 : 1;

async Task<double> RunAsync(string name, TimeSpan duration, Func<GrpcChannel, int, int, Task> call)
{
    var latencies = new ConcurrentBag<double>();
    var failures = 0;
    var stopwatch = Stopwatch.StartNew();
    await Task.WhenAll(channels.Select((channel, client) => Task.Run(async () =>
    {
        for (var i = 0; stopwatch.Elapsed < duration; i++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await call(channel, client, i);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Grpc.Core.RpcException)
            {
                Interlocked.Increment(ref failures);
            }
        }
    })));
    var elapsed = stopwatch.Elapsed.TotalSeconds;
    var sorted = latencies.Order().ToArray();
    var perSecond = sorted.Length / elapsed;
    Console.WriteLine(FormattableString.Invariant(
        $"{name}: {perSecond:0} calls/s, p50 {Percentile(sorted, 0.50):0.00} ms, p99 {Percentile(sorted, 0.99):0.00} ms, {sorted.Length} OK, {failures} failed ({clients} clients, {elapsed:0.0} s)"));
    return perSecond;
}

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
