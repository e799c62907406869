using System.Linq;
using System.Xml.Linq;
using AkCache.Fody;
using Fody;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit;

namespace AkCache.Tests.Weaving;

/// <summary>Attributes of &lt;AkCache /&gt; in FodyWeavers.xml: build-time defaults, and clear errors for bad values.</summary>
public sealed class WeaverSettingsTests
{
    private static TestResult Weave(string config, string name) =>
        new ModuleWeaver { Config = XElement.Parse(config) }.ExecuteTestRun("AssemblyToProcess.dll", runPeVerify: false, assemblyName: name);

    /// <summary>The maxAgeSeconds each stub passes to MemoizedMethod.Create.</summary>
    private static int MaxAgeOf(string wovenPath, string type, string method)
    {
        using var module = ModuleDefinition.ReadModule(wovenPath);
        var stub = module.GetType("AssemblyToProcess." + type).Methods.Single(m => m.Name == method && !m.IsPrivate);
        var create = stub.Body.Instructions.First(i => i.OpCode == OpCodes.Call && ((MethodReference)i.Operand).Name == "Create");
        var load = create.Previous;
        return load.OpCode == OpCodes.Ldc_I4 ? (int)load.Operand : load.OpCode == OpCodes.Ldc_I4_S ? (sbyte)load.Operand : load.OpCode.Code - Code.Ldc_I4_0;
    }

    [Fact]
    public void MaxAgeSeconds_is_the_default_for_methods_and_classes_that_set_none()
    {
        var woven = Weave("<AkCache MaxAgeSeconds='120' />", "AssemblyToProcessMaxAge");
        Assert.Empty(woven.Errors);
        Assert.Equal(120, MaxAgeOf(woven.AssemblyPath, "Basic", "Add"));
        Assert.Equal(1, MaxAgeOf(woven.AssemblyPath, "TimeToLive", "OneSecond"));
        Assert.Equal(60, MaxAgeOf(woven.AssemblyPath, "Catalog", "Name"));
        Assert.Equal(0, MaxAgeOf(Support.WovenAssembly.Result.AssemblyPath, "Basic", "Add"));
    }

    [Fact]
    public void AutomaticVersions_false_leaves_only_pinned_versions_in_keys()
    {
        var woven = Weave("<AkCache AutomaticVersions='false' />", "AssemblyToProcessNoVersions");
        Assert.Empty(woven.Errors);
        var versions = KeyVersionTests.Versions(woven.AssemblyPath);
        Assert.Equal("pinned-1", versions["AssemblyToProcess.Basic.Pinned(System.Int32)"]);
        Assert.All(versions.Where(v => !v.Key.Contains(".Pinned(")), v => Assert.Equal("", v.Value));
    }

    [Theory]
    [InlineData("<AkCache MaxAgeSeconds='-1' />", "AkCache: FodyWeavers.xml sets MaxAgeSeconds=\"-1\". Use a whole number of seconds, 0 or more (0 leaves it to AKCACHE_MAX_AGE_SECONDS or the default of 86400).")]
    [InlineData("<AkCache MaxAgeSeconds='a day' />", "AkCache: FodyWeavers.xml sets MaxAgeSeconds=\"a day\". Use a whole number of seconds, 0 or more (0 leaves it to AKCACHE_MAX_AGE_SECONDS or the default of 86400).")]
    [InlineData("<AkCache AutomaticVersions='maybe' />", "AkCache: FodyWeavers.xml sets AutomaticVersions=\"maybe\". Use true or false.")]
    [InlineData("<AkCache Prefix='x' />", "AkCache: FodyWeavers.xml has an unknown attribute 'Prefix' on <AkCache />. Known attributes: MaxAgeSeconds, AutomaticVersions.")]
    public void A_bad_setting_is_a_build_error_and_nothing_is_woven(string config, string expected)
    {
        var woven = Weave(config, "AssemblyToProcessBad" + (uint)config.GetHashCode());
        Assert.Equal(expected, Assert.Single(woven.Errors).Text);
        Assert.DoesNotContain(woven.Messages, m => m.Text.StartsWith("AkCache: memoized", System.StringComparison.Ordinal));
    }
}
