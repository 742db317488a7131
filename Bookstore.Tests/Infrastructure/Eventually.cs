namespace Bookstore.Tests.Infrastructure;

/// <summary>Bounded waits on a condition that comes true a moment later (a log line, a process gone), never on time alone.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Asks <paramref name="condition"/> every 50 ms until it holds; fails with <paramref name="failure"/> after <paramref name="timeout"/>.</summary>
    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure) =>
        HoldsAsync(() => Task.FromResult(condition()), timeout, failure);

    /// <inheritdoc cref="HoldsAsync(Func{bool}, TimeSpan, Func{string})"/>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure)
    {
        var giveUp = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= giveUp)
            {
                Assert.Fail(failure());
            }

            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }
}
