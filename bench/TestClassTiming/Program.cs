using System.Diagnostics;
using Aspire.Hosting.Testing;

// TestClassTiming ours|stock: one distributed test class's life, as the tests live it (the AppHost's model with
// Aspire.Hosting.Testing; start; wait until the Marketplace is healthy; one home page; dispose, which waits until DCP has
// stopped every process). Prints "start-ms request-ms dispose-ms total-ms".
var appHost = args.FirstOrDefault() switch
{
    "ours" => typeof(Projects.Bookstore_AppHost),
    "stock" => typeof(Projects.StockAppHost),
    _ => null,
};
if (appHost is null)
{
    Console.Error.WriteLine("usage: TestClassTiming ours|stock");
    return 2;
}

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var total = Stopwatch.StartNew();
var builder = await DistributedApplicationTestingBuilder.CreateAsync(appHost, timeout.Token);
Console.Error.WriteLine($"created {total.ElapsedMilliseconds}");
var app = await builder.BuildAsync(timeout.Token);
Console.Error.WriteLine($"built {total.ElapsedMilliseconds}");
await app.StartAsync(timeout.Token);
Console.Error.WriteLine($"started {total.ElapsedMilliseconds}");
await app.ResourceNotifications.WaitForResourceHealthyAsync("recommendations", timeout.Token);
Console.Error.WriteLine($"recommendations healthy {total.ElapsedMilliseconds}");
await app.ResourceNotifications.WaitForResourceHealthyAsync("marketplace", timeout.Token);
var started = total.ElapsedMilliseconds;

using (var http = app.CreateHttpClient("marketplace"))
{
    var page = await http.GetStringAsync("/", timeout.Token);
    if (!page.Contains("data-book-id", StringComparison.Ordinal))
    {
        Console.Error.WriteLine("The home page shows no books.");
        return 1;
    }
}

var requested = total.ElapsedMilliseconds;
await app.DisposeAsync();
Console.WriteLine($"{started} {requested - started} {total.ElapsedMilliseconds - requested} {total.ElapsedMilliseconds}");
return 0;
