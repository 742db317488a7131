using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Bookstore.Tests.Fuzzing;

/// <summary>
/// How much to fuzz: <c>FUZZ_SEED</c> (fixed by default, so every run sends the same inputs), <c>FUZZ_INPUTS</c> per
/// entry point (10,000 in the test command), <c>FUZZ_MINUTES</c> (the time bound of one entry point) and
/// <c>FUZZ_ONLY</c> (one input's index, to replay a failure). scripts/fuzz.sh runs longer campaigns by hand.
/// </summary>
public sealed record FuzzSettings(int Seed, int Inputs, TimeSpan TimeLimit, int Concurrency, int? Only)
{
    public static FuzzSettings FromEnvironment() => new(
        Read("FUZZ_SEED") ?? 20261201,
        Read("FUZZ_INPUTS") ?? 10_000,
        TimeSpan.FromMinutes(Read("FUZZ_MINUTES") ?? 4),
        Read("FUZZ_CONCURRENCY") ?? 16,
        Read("FUZZ_ONLY"));

    /// <summary>Input <paramref name="index"/>'s own generator: the same bytes for the same seed and index, in any order.</summary>
    public Random RandomFor(int index) => new(unchecked((Seed * 1_000_003) + index));

    private static int? Read(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;
}

/// <summary>What one input got: a label to count by (e.g. "grpc-status 3", "http 400", "goaway PROTOCOL_ERROR"), and
/// why it is a failure when it is one (a 5xx, gRPC UNKNOWN, no answer to a finished request).</summary>
public readonly record struct FuzzOutcome(string Label, string? Failure = null)
{
    public static FuzzOutcome Fail(string label, string why) => new(label, why);
}

/// <summary>The tally of one entry point's run, with the first failures and how to replay them.</summary>
public sealed class FuzzReport(string entryPoint, FuzzSettings settings)
{
    private const int FailureSamples = 10;

    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private int _sent;
    private int _failed;

    public string EntryPoint => entryPoint;

    public int Sent => _sent;

    public int Failed => _failed;

    public TimeSpan Elapsed { get; set; }

    /// <summary>The service's resident memory (VmRSS) before the first input, after half of them, after the last.</summary>
    public long RssBefore { get; set; }

    public long RssHalfway { get; set; }

    public long RssAfter { get; set; }

    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    /// <summary>Counts one input; returns how many have been counted with it (each number once, whatever the concurrency).</summary>
    public int Record(int index, FuzzOutcome outcome, ReadOnlySpan<byte> input)
    {
        var sent = Interlocked.Increment(ref _sent);
        _outcomes.AddOrUpdate(outcome.Label, 1, (_, count) => count + 1);
        if (outcome.Failure is not null && Interlocked.Increment(ref _failed) <= FailureSamples)
        {
            _failures.Enqueue($"input {index} (replay: FUZZ_SEED={settings.Seed} FUZZ_ONLY={index}): {outcome.Failure}\n      {Printable(input)}");
        }

        return sent;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{entryPoint}: {_sent} inputs (seed {settings.Seed}) in {Elapsed.TotalSeconds:F1} s, {_failed} failed; RSS {Mib(RssBefore)} -> {Mib(RssHalfway)} -> {Mib(RssAfter)} MiB\n");
        foreach (var (label, count) in _outcomes.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"  {count,6}  {label}\n");
        }

        foreach (var failure in _failures)
        {
            text.Append("  FAILED ").Append(failure).Append('\n');
        }

        return text.ToString();
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024)).ToString("F0", CultureInfo.InvariantCulture);

    private static string Printable(ReadOnlySpan<byte> input)
    {
        var shown = input[..Math.Min(input.Length, 300)];
        var text = new StringBuilder(shown.Length);
        foreach (var b in shown)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : $"\\x{b:x2}");
        }

        return input.Length > shown.Length ? $"{text}... ({input.Length} bytes)" : text.ToString();
    }
}

/// <summary>
/// Sends <see cref="FuzzSettings.Inputs"/> generated inputs to one entry point, <see cref="FuzzSettings.Concurrency"/> at a
/// time, within the time bound, and samples the service's RSS before, halfway and after.
/// </summary>
public static class FuzzRunner
{
    /// <summary>One input: made from its own <see cref="Random"/>, sent, and judged. Returns the bytes sent with the verdict.</summary>
    public delegate Task<(FuzzOutcome Outcome, byte[] Input)> SendInput(Random random, CancellationToken cancellationToken);

    public static async Task<FuzzReport> RunAsync(string entryPoint, FuzzSettings settings, int processId, SendInput send, CancellationToken cancellationToken)
    {
        var report = new FuzzReport(entryPoint, settings) { RssBefore = ResidentBytes(processId) };
        var indexes = settings.Only is { } only ? [only] : Enumerable.Range(0, settings.Inputs);
        var halfway = settings.Only is null ? settings.Inputs / 2 : 1;
        var stopwatch = Stopwatch.StartNew();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(settings.TimeLimit);
        var options = new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = bounded.Token };
        try
        {
            await Parallel.ForEachAsync(indexes, options, async (index, token) =>
            {
                FuzzOutcome outcome;
                byte[] input;
                try
                {
                    (outcome, input) = await send(settings.RandomFor(index), token);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // A fault of the fuzzer itself (or a connection refused: the service is gone): counted, shown, and the run goes on.
                    (outcome, input) = (FuzzOutcome.Fail("fuzzer exception", exception.ToString()), []);
                }

                // The count this input made, not report.Sent read afterwards: another worker may have counted in between,
                // and then no input saw the halfway mark and the halfway sample stayed 0.
                if (report.Record(index, outcome, input) == halfway)
                {
                    report.RssHalfway = ResidentBytes(processId);
                }
            });
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The time bound: the report says how many inputs were sent, and the test fails on fewer than asked.
        }

        report.Elapsed = stopwatch.Elapsed;
        report.RssAfter = ResidentBytes(processId);
        return report;
    }

    /// <summary>A process's resident set size, from /proc/PID/status (VmRSS, in kB).</summary>
    public static long ResidentBytes(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
