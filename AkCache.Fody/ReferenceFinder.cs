using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

/// <summary>Resolves and imports, once, everything woven code refers to.</summary>
internal sealed class ReferenceFinder
{
    public const string RuntimeAssemblyName = "AkCache.Runtime";

    public ReferenceFinder(ModuleWeaver weaver)
    {
        var module = weaver.ModuleDefinition;
        var memoizedMethod = Find(weaver, "AkCache.CompilerServices.MemoizedMethod");
        var keyBuilder = Find(weaver, "AkCache.CompilerServices.KeyBuilder");
        var memoKey = Find(weaver, "AkCache.CompilerServices.MemoKey");

        MemoizedMethodType = module.ImportReference(memoizedMethod);
        KeyBuilderType = module.ImportReference(keyBuilder);
        MemoKeyType = module.ImportReference(memoKey);
        Create = module.ImportReference(memoizedMethod.Methods.Single(m => m.Name == "Create"));
        BeginKey = module.ImportReference(memoizedMethod.Methods.Single(m => m.Name == "BeginKey"));
        TryGet = module.ImportReference(memoizedMethod.Methods.Single(m => m.Name == "TryGet"));
        Store = module.ImportReference(memoizedMethod.Methods.Single(m => m.Name == "Store"));
        Add = module.ImportReference(keyBuilder.Methods.Single(m => m.Name == "Add"));
        Complete = module.ImportReference(keyBuilder.Methods.Single(m => m.Name == "Complete"));
        CompilerGeneratedConstructor = module.ImportReference(
            Find(weaver, "System.Runtime.CompilerServices.CompilerGeneratedAttribute").Methods.Single(m => m.IsConstructor && !m.HasParameters));
        DebuggerStepThroughConstructor = module.ImportReference(
            Find(weaver, "System.Diagnostics.DebuggerStepThroughAttribute").Methods.Single(m => m.IsConstructor && !m.HasParameters));
    }

    public TypeReference MemoizedMethodType { get; }

    public TypeReference KeyBuilderType { get; }

    public TypeReference MemoKeyType { get; }

    /// <summary>static MemoizedMethod Create(string identity, int maxAgeSeconds)</summary>
    public MethodReference Create { get; }

    /// <summary>KeyBuilder MemoizedMethod.BeginKey()</summary>
    public MethodReference BeginKey { get; }

    /// <summary>bool MemoizedMethod.TryGet&lt;T&gt;(MemoKey, out T)</summary>
    public MethodReference TryGet { get; }

    /// <summary>void MemoizedMethod.Store&lt;T&gt;(MemoKey, T)</summary>
    public MethodReference Store { get; }

    /// <summary>void KeyBuilder.Add&lt;T&gt;(T)</summary>
    public MethodReference Add { get; }

    /// <summary>MemoKey KeyBuilder.Complete()</summary>
    public MethodReference Complete { get; }

    public MethodReference CompilerGeneratedConstructor { get; }

    public MethodReference DebuggerStepThroughConstructor { get; }

    private static TypeDefinition Find(ModuleWeaver weaver, string fullName)
    {
        if (weaver.TryFindTypeDefinition(fullName, out var type))
        {
            return type;
        }

        throw new global::Fody.WeavingException(
            $"AkCache: cannot find '{fullName}'. The project must reference {RuntimeAssemblyName} (the AkCache.Fody package brings it); add the package or a reference to AkCache.Runtime.");
    }
}
