namespace Bookstore.Tests.Distributed;

/// <summary>
/// The tests that start the whole app (an AppHost, DCP, the services, perhaps the dashboard) run one after the other:
/// on two cores, two apps starting side by side slow each other down and the load tests would measure each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AspireApps
{
    public const string Name = "Aspire apps";

    /// <summary>A test that starts an app fails after 3 minutes rather than holding up the whole run (they take 10-40 s).</summary>
    public const int TestTimeout = 180_000;
}
