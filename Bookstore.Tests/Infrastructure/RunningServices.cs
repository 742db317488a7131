namespace Bookstore.Tests.Infrastructure;

/// <summary>One Recommendations and one Marketplace process wired to it, shared by the tests that only read.</summary>
public class RunningServices : IAsyncLifetime
{
    public ServiceProcess Recommendations { get; private set; } = null!;

    public ServiceProcess Marketplace { get; private set; } = null!;

    /// <summary>Settings of the Marketplace beyond the tests' defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string>? MarketplaceEnvironment => null;

    public async ValueTask InitializeAsync()
    {
        Recommendations = await ServiceProcess.StartRecommendationsAsync();
        Marketplace = await ServiceProcess.StartMarketplaceAsync(Recommendations.BaseAddress, MarketplaceEnvironment);
    }

    public async ValueTask DisposeAsync()
    {
        await Marketplace.DisposeAsync();
        await Recommendations.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
