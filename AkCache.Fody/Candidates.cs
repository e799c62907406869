using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

public partial class ModuleWeaver
{
    internal const string MemoizeAttributeName = "AkCache.MemoizeAttribute";

    /// <summary>Every method marked [Memoize], nested types included (GetTypes, not Types).</summary>
    private IEnumerable<MemoizeCandidate> FindCandidates()
    {
        foreach (var type in ModuleDefinition.GetTypes().ToList())
        {
            foreach (var method in type.Methods.ToList())
            {
                var attribute = method.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == MemoizeAttributeName);
                if (attribute is not null)
                {
                    yield return new MemoizeCandidate(method, attribute);
                }
            }
        }
    }

    private void ProcessCandidate(MemoizeCandidate candidate, ReferenceFinder references)
    {
        var method = candidate.Method;
        try
        {
            var problem = MethodValidator.FindProblem(candidate);
            if (problem is not null)
            {
                WriteError(problem, SourcePoints.First(method));
                return;
            }

            new MethodProcessor(candidate, references, ModuleDefinition).Process();
            _memoizedCount++;
        }
        catch (Exception ex) when (ex is not global::Fody.WeavingException)
        {
            throw new InvalidOperationException($"AkCache failed to weave '{method.FullName}': {ex.Message}", ex);
        }
    }
}

/// <summary>A method marked [Memoize], with the values read from its attribute.</summary>
internal sealed class MemoizeCandidate
{
    public MemoizeCandidate(MethodDefinition method, CustomAttribute attribute)
    {
        Method = method;
        Attribute = attribute;
        var maxAge = attribute.Properties.FirstOrDefault(p => p.Name == "MaxAgeSeconds");
        MaxAgeSeconds = maxAge.Name is null ? 0 : Convert.ToInt32(maxAge.Argument.Value);
    }

    public MethodDefinition Method { get; }

    public CustomAttribute Attribute { get; }

    public int MaxAgeSeconds { get; }

    public string DisplayName => MethodIdentity.Describe(Method);
}
