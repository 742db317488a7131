using Bookstore.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(RunningServices))]
