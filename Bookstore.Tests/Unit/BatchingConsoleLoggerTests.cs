using Bookstore.ServiceDefaults.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bookstore.Tests.Unit;

public sealed partial class BatchingConsoleLoggerTests
{
    [Fact]
    public void Every_line_of_every_thread_is_written_once_in_its_order_and_errors_go_to_stderr()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var provider = Create(new ConsoleLoggerOptions { LogToStandardErrorThreshold = LogLevel.Error }, stdout, stderr);
        var logger = provider.CreateLogger("Test.Category");

        Parallel.For(0, 4, thread =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                LogThreadLine(logger, thread, i);
            }
        });
        LogFailure(logger);
        provider.Dispose();

        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 * 8_000, lines.Length);
        Assert.All(lines.Where((_, index) => index % 2 == 0), line => Assert.Equal("info: Test.Category[1]", line));
        for (var thread = 0; thread < 4; thread++)
        {
            var own = lines.Where(line => line.StartsWith($"      thread {thread} line ", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 2_000).Select(i => $"      thread {thread} line {i}"), own);
        }

        Assert.Equal("fail: Test.Category[3]\n      something failed\n", stderr.ToString().Replace("\r", "", StringComparison.Ordinal));
        Assert.DoesNotContain("something failed", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_queue_makes_loggers_wait_and_loses_nothing()
    {
        using var stdout = new BlockingWriter();
        var provider = Create(new ConsoleLoggerOptions { MaxQueueLength = 10 }, stdout, new StringWriter());
        var logger = provider.CreateLogger("Test");

        var logging = Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                LogLine(logger, i);
            }
        }, TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(logging.IsCompleted, "100 lines went into a queue of 10 while the console was blocked");

        stdout.Release();
        await logging.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        provider.Dispose();

        Assert.Equal(100, stdout.ToString().Split('\n').Count(line => line.StartsWith("      line ", StringComparison.Ordinal)));
        Assert.Equal(0, provider.Dropped);
    }

    [Fact]
    public void In_drop_mode_a_full_queue_drops_and_counts()
    {
        using var stdout = new BlockingWriter();
        var provider = Create(new ConsoleLoggerOptions { MaxQueueLength = 10, QueueFullMode = ConsoleLoggerQueueFullMode.DropWrite }, stdout, new StringWriter());
        var logger = provider.CreateLogger("Test");

        for (var i = 0; i < 100; i++)
        {
            LogLine(logger, i);
        }

        stdout.Release();
        provider.Dispose();

        var written = stdout.ToString().Split('\n').Count(line => line.StartsWith("      line ", StringComparison.Ordinal));
        Assert.True(provider.Dropped > 0, "nothing was dropped");
        Assert.Equal(100, written + provider.Dropped);
    }

    [Fact]
    public void An_unknown_formatter_name_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Create(new ConsoleLoggerOptions { FormatterName = "fancy" }, new StringWriter(), new StringWriter()));

        Assert.Contains("No console log formatter named 'fancy'", error.Message, StringComparison.Ordinal);
        Assert.Contains("simple", error.Message, StringComparison.Ordinal);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "thread {Thread} line {Line}")]
    private static partial void LogThreadLine(ILogger logger, int thread, int line);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "line {Line}")]
    private static partial void LogLine(ILogger logger, int line);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "something failed")]
    private static partial void LogFailure(ILogger logger);

    // The framework's own formatters, as AddConsole registers them.
    private static BatchingConsoleLoggerProvider Create(ConsoleLoggerOptions options, TextWriter stdout, TextWriter stderr)
    {
        var services = new ServiceCollection().AddLogging(logging => logging.AddSimpleConsole(simple => simple.ColorBehavior = LoggerColorBehavior.Disabled)).BuildServiceProvider();
        return new BatchingConsoleLoggerProvider(options, services.GetServices<ConsoleFormatter>(), stdout, stderr);
    }

    /// <summary>A console that blocks every write until released.</summary>
    private sealed class BlockingWriter : StringWriter
    {
        private readonly ManualResetEventSlim _released = new();

        public void Release() => _released.Set();

        public override void Write(ReadOnlySpan<char> buffer)
        {
            _released.Wait();
            lock (this)
            {
                base.Write(buffer);
            }
        }

        public override string ToString()
        {
            lock (this)
            {
                return base.ToString();
            }
        }

        protected override void Dispose(bool disposing)
        {
            _released.Dispose();
            base.Dispose(disposing);
        }
    }
}
