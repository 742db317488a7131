namespace Bookstore.Tests.Infrastructure;

/// <summary>One Recommendations and one Marketplace process wired to it, shared by the tests that only read.</summary>
public class RunningServices : IAsyncLifetime
{
    public ServiceProcess Recommendations { get; private set; } = null!;

    public ServiceProcess Marketplace { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Recommendations = await ServiceProcess.StartRecommendationsAsync();
        Marketplace = await ServiceProcess.StartMarketplaceAsync(Recommendations.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        await Marketplace.DisposeAsync();
        await Recommendations.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
