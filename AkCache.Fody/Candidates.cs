using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

public partial class ModuleWeaver
{
    internal const string MemoizeAttributeName = "AkCache.MemoizeAttribute";
    internal const string NotKeyAttributeName = "AkCache.NotKeyAttribute";

    /// <summary>
    /// Every method marked [Memoize], and every eligible static method of a type marked [Memoize];
    /// nested types included (GetTypes, not Types). Problems of explicitly marked methods are build
    /// errors; methods that a type-level [Memoize] cannot cover are skipped with a warning.
    /// </summary>
    private List<MemoizeCandidate> FindCandidates(WeaverSettings settings)
    {
        var candidates = new List<MemoizeCandidate>();
        foreach (var type in ModuleDefinition.GetTypes().ToList())
        {
            var onType = FindMemoize(type);
            foreach (var method in type.Methods.ToList())
            {
                var onMethod = FindMemoize(method);
                if (onMethod is null && (onType is null || !IsCoveredByType(method)))
                {
                    continue;
                }

                var candidate = new MemoizeCandidate(method, onMethod, onType, settings);
                var problem = MethodValidator.FindProblem(candidate);
                if (problem is null)
                {
                    candidates.Add(candidate);
                }
                else if (onMethod is not null)
                {
                    WriteError(problem, SourcePoints.First(method));
                }
                else
                {
                    WriteWarning(problem + " (It is skipped: [Memoize] is on its type.)", SourcePoints.First(method));
                }
            }
        }

        return candidates;
    }

    private static CustomAttribute? FindMemoize(ICustomAttributeProvider provider) =>
        provider.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == MemoizeAttributeName);

    /// <summary>
    /// What a type-level [Memoize] covers: non-private static methods with a body and a result,
    /// written by the user. Private helpers stay plain calls.
    /// </summary>
    private static bool IsCoveredByType(MethodDefinition method) =>
        method.IsStatic && method.HasBody && !method.IsPrivate && !method.IsConstructor && !method.IsSpecialName
        && method.ReturnType.MetadataType != MetadataType.Void
        && !method.Name.Contains("<")
        && !method.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.CompilerGeneratedAttribute");

    private void Weave(List<MemoizeCandidate> candidates, ReferenceFinder references)
    {
        foreach (var candidate in candidates)
        {
            candidate.Version = candidate.PinnedVersion ?? (candidate.AutomaticVersion ? MethodVersion.Compute(candidate.Method) : "");
        }

        var stubs = new Dictionary<MethodDefinition, MethodDefinition>();
        foreach (var candidate in candidates)
        {
            try
            {
                stubs.Add(candidate.Method, new MethodProcessor(candidate, references, ModuleDefinition).Process());
            }
            catch (Exception ex) when (ex is not global::Fody.WeavingException)
            {
                throw new InvalidOperationException($"AkCache failed to weave '{candidate.Method.FullName}': {ex.Message}", ex);
            }
        }

        RedirectCallsToStubs(stubs);
        _memoizedCount = stubs.Count;
    }
}

/// <summary>A method to memoize, with the settings read from its attribute and its type's.</summary>
internal sealed class MemoizeCandidate
{
    public MemoizeCandidate(MethodDefinition method, CustomAttribute? onMethod, CustomAttribute? onType, WeaverSettings settings)
    {
        Method = method;
        var methodAge = Property<int>(onMethod, "MaxAgeSeconds");
        var typeAge = Property<int>(onType, "MaxAgeSeconds");
        MaxAgeSeconds = methodAge != 0 ? methodAge : typeAge != 0 ? typeAge : settings.MaxAgeSeconds;
        AutomaticVersion = settings.AutomaticVersions;
        PinnedVersion = Property<string?>(onMethod, "Version") ?? Property<string?>(onType, "Version");
        Serializer = Property<string?>(onMethod, "Serializer") ?? Property<string?>(onType, "Serializer");
        LocalCache = OptionalProperty<bool>(onMethod, "LocalCache") ?? OptionalProperty<bool>(onType, "LocalCache") ?? true;
        var methodBound = Property<int>(onMethod, "LocalMaxEntries");
        LocalMaxEntries = methodBound != 0 ? methodBound : Property<int>(onType, "LocalMaxEntries");
        Identity = MethodIdentity.For(method);
        DisplayName = MethodIdentity.Describe(method);
        KeyParameters = method.Parameters
            .Where(p => !p.CustomAttributes.Any(a => a.AttributeType.FullName == ModuleWeaver.NotKeyAttributeName))
            .Where(p => p.ParameterType.FullName != "System.Threading.CancellationToken")
            .Select(p => p.Index)
            .ToList();
    }

    public MethodDefinition Method { get; }

    public int MaxAgeSeconds { get; }

    public string? PinnedVersion { get; }

    /// <summary>The serializer [Memoize] names, or null for the configured one.</summary>
    public string? Serializer { get; }

    /// <summary>Whether the local layer may answer first ([Memoize(LocalCache = false)] turns it off).</summary>
    public bool LocalCache { get; }

    /// <summary>The method's own bound in the local layer; 0 for none.</summary>
    public int LocalMaxEntries { get; }

    /// <summary>
    /// What MemoizedMethod.Create receives for the local layer: -1 when it is off for the method,
    /// else the method's bound (0 for none).
    /// </summary>
    public int LocalSetting => LocalCache ? LocalMaxEntries : -1;

    /// <summary>Whether an unpinned version is the hash of the implementation (FodyWeavers.xml AutomaticVersions).</summary>
    public bool AutomaticVersion { get; }

    /// <summary>The version part of the keys: the pinned one, or a hash of the implementation (set before weaving).</summary>
    public string Version { get; set; } = "";

    public string Identity { get; }

    public string DisplayName { get; }

    public IReadOnlyList<int> KeyParameters { get; }

    public bool IsKeyParameter(int index) => KeyParameters.Contains(index);

    /// <summary>The property's value when the attribute sets it, else null (for a setting whose default is not the type's).</summary>
    private static T? OptionalProperty<T>(CustomAttribute? attribute, string name)
        where T : struct
    {
        var argument = attribute?.Properties.FirstOrDefault(p => p.Name == name);
        return argument is { Name: not null } found ? (T)found.Argument.Value : null;
    }

    private static T Property<T>(CustomAttribute? attribute, string name)
    {
        var argument = attribute?.Properties.FirstOrDefault(p => p.Name == name);
        return argument is { Name: not null } found ? (T)found.Argument.Value : default!;
    }
}
