using System.Collections.Generic;
using System.Linq;
using Fody;

namespace AkCache.Fody;

/// <summary>
/// Rewrites every static method marked [Memoize] so that it calls the AkCache runtime. This
/// class only sequences the steps; each step lives in its own file.
/// </summary>
public partial class ModuleWeaver : BaseModuleWeaver
{
    private int _memoizedCount;

    public override void Execute()
    {
        var problems = new List<string>();
        var settings = WeaverSettings.Read(Config, problems);
        if (problems.Count > 0)
        {
            problems.ForEach(WriteError);
            return;
        }

        var candidates = FindCandidates(settings);
        CheckManagementCalls(candidates);
        if (candidates.Count > 0)
        {
            Weave(candidates, new ReferenceFinder(this));
        }

        RemoveBuildTimeAttributes();
        RemoveAttributesReference();
        WriteSummary();
    }

    public override IEnumerable<string> GetAssembliesForScanning()
    {
        yield return "netstandard";
        yield return "mscorlib";
        yield return "System.Runtime";
        yield return "System.Diagnostics.Debug";
        yield return ReferenceFinder.RuntimeAssemblyName;
    }

    /// <summary>
    /// False: Fody's own cleaner would remove only a reference named "AkCache", which does not
    /// exist, and saying true makes Fody demand PrivateAssets="All" on the package reference, which
    /// would keep the runtime from reaching applications through libraries. AkCache.Attributes is
    /// dropped by <see cref="RemoveAttributesReference"/>.
    /// </summary>
    public override bool ShouldCleanReference => false;

    private void WriteSummary()
    {
        var assembly = ModuleDefinition.Assembly.Name.Name;
        var methods = _memoizedCount == 1 ? "method" : "methods";
        WriteMessage($"AkCache: memoized {_memoizedCount} {methods} in {assembly}", MessageImportance.High);
    }
}
