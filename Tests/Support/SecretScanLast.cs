using System.Collections.Generic;
using System.Linq;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("AkCache.Tests.Support.SecretScanLast", "Tests")]

namespace AkCache.Tests.Support;

/// <summary>
/// xUnit's own order of the test collections, with the secret scan's collection moved to the end:
/// the suite runs one collection at a time (<c>DisableTestParallelization</c>), so the scan reads
/// every line the other tests logged.
/// </summary>
public sealed class SecretScanLast : ITestCollectionOrderer
{
    private readonly DefaultTestCollectionOrderer _default = new();

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        var ordered = _default.OrderTestCollections(testCollections).ToList();
        return ordered.Where(c => c.DisplayName != SecretScanCollection.Name).Concat(ordered.Where(c => c.DisplayName == SecretScanCollection.Name));
    }
}

[CollectionDefinition(Name)]
public sealed class SecretScanCollection
{
    public const string Name = "Secret scan (runs last)";
}
