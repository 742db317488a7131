using System.Diagnostics;
using System.Globalization;
using Bookstore.Hosting.Testing;

// Usage: StartStop [runs]. Each run: CreateAsync, BuildAsync, StartAsync (all healthy), one home page request, DisposeAsync.
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
var startTimes = new List<double>();
var totals = new List<double>();

for (var run = 0; run <= runs; run++)
{
    var clock = Stopwatch.StartNew();
    var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Bookstore_AppHost>();
    var app = await builder.BuildAsync();
    await app.StartAsync();
    var started = clock.Elapsed.TotalMilliseconds;

    using (var http = app.CreateHttpClient("marketplace"))
    {
        clock.Stop();
        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        if (!page.Contains("Mystery books you may like", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The home page is not what it should be.");
        }

        clock.Start();
    }

    await app.DisposeAsync();
    var total = clock.Elapsed.TotalMilliseconds;

    // Run 0 warms up the JIT of this process; it is printed but not counted.
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}: start {started:0} ms, start + stop {total:0} ms{(run == 0 ? " (warm-up, not counted)" : "")}"));
    if (run > 0)
    {
        startTimes.Add(started);
        totals.Add(total);
    }
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median start {Median(startTimes):0} ms, median start + stop {Median(totals):0} ms over {runs} runs"));
