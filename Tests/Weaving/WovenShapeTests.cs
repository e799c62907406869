using System.Linq;
using System.Reflection;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Weaving;

public sealed class WovenShapeTests
{
    [Fact]
    public void The_woven_assembly_no_longer_references_the_attributes()
    {
        var references = WovenAssembly.Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("AkCache.Attributes", references);
        Assert.Contains("AkCache.Runtime", references);
        var memoized = WovenAssembly.Type("Basic").GetMethod("Add")!;
        Assert.DoesNotContain(memoized.CustomAttributes, a => a.AttributeType.Name == "MemoizeAttribute");
    }

    [Fact]
    public void The_original_body_moves_to_a_private_static_method()
    {
        var original = WovenAssembly.Type("Basic").GetMethod("Add$Original", BindingFlags.NonPublic | BindingFlags.Static);
        Assert.NotNull(original);
        Assert.True(original!.IsPrivate);
        Assert.Equal(3, original.Invoke(null, new object[] { 1, 2 }));
    }

    [Fact]
    public void Weaving_reports_one_summary_line_and_no_errors()
    {
        Assert.Single(WovenAssembly.Result.Warnings, w => w.Text.Contains("Catalog.Swap"));
        Assert.Empty(WovenAssembly.Result.Errors);
        var summary = Assert.Single(WovenAssembly.Result.Messages, m => m.Text.StartsWith("AkCache: memoized"));
        var count = WovenAssembly.Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Count(m => m.Name.EndsWith("$Original"));
        Assert.Equal($"AkCache: memoized {count} methods in AssemblyToProcess", summary.Text);
        Assert.True(count >= 30, $"only {count} methods were woven");
    }
}
