using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

/// <summary>Resolves and imports, once, everything woven code refers to.</summary>
internal sealed class ReferenceFinder
{
    public const string RuntimeAssemblyName = "AkCache.Runtime";

    private readonly ModuleDefinition _module;
    private readonly TypeDefinition[] _valueTuples;

    public ReferenceFinder(ModuleWeaver weaver)
    {
        _module = weaver.ModuleDefinition;
        var memoizedMethod = Find(weaver, "AkCache.CompilerServices.MemoizedMethod");
        var keyBuilder = Find(weaver, "AkCache.CompilerServices.KeyBuilder");

        MemoizedMethodType = _module.ImportReference(memoizedMethod);
        KeyBuilderType = _module.ImportReference(keyBuilder);
        MemoKeyType = _module.ImportReference(Find(weaver, "AkCache.CompilerServices.MemoKey"));
        Create = _module.ImportReference(memoizedMethod.Methods.Single(m => m.Name == "Create" && m.Parameters.Count == 3));
        CreateWithSerializer = _module.ImportReference(memoizedMethod.Methods.Single(m => m.Name == "Create" && m.Parameters.Count == 4));
        CreateWithLocalSetting = _module.ImportReference(memoizedMethod.Methods.Single(m => m.Name == "Create" && m.Parameters.Count == 5));
        BeginKey = Import(memoizedMethod, "BeginKey");
        Invoke = Import(memoizedMethod, "Invoke");
        InvokeAsync = Import(memoizedMethod, "InvokeAsync");
        InvokeValueTaskAsync = Import(memoizedMethod, "InvokeValueTaskAsync");
        Add = Import(keyBuilder, "Add");
        AddType = Import(keyBuilder, "AddType");
        Complete = Import(keyBuilder, "Complete");
        CancellationTokenType = _module.ImportReference(Find(weaver, "System.Threading.CancellationToken"));
        FuncOfTwo = Find(weaver, "System.Func`2");
        EmptyValueTuple = _module.ImportReference(Find(weaver, "System.ValueTuple"));
        _valueTuples = Enumerable.Range(1, 8).Select(n => Find(weaver, "System.ValueTuple`" + n)).ToArray();
        CompilerGeneratedConstructor = ImportDefaultConstructor(weaver, "System.Runtime.CompilerServices.CompilerGeneratedAttribute");
        DebuggerStepThroughConstructor = ImportDefaultConstructor(weaver, "System.Diagnostics.DebuggerStepThroughAttribute");
    }

    public TypeReference MemoizedMethodType { get; }

    public TypeReference KeyBuilderType { get; }

    public TypeReference MemoKeyType { get; }

    public TypeReference CancellationTokenType { get; }

    /// <summary>static MemoizedMethod Create(string identity, string version, int maxAgeSeconds)</summary>
    public MethodReference Create { get; }

    /// <summary>static MemoizedMethod Create(string identity, string version, int maxAgeSeconds, string serializer)</summary>
    public MethodReference CreateWithSerializer { get; }

    /// <summary>static MemoizedMethod Create(string identity, string version, int maxAgeSeconds, string? serializer, int localSetting)</summary>
    public MethodReference CreateWithLocalSetting { get; }

    /// <summary>KeyBuilder MemoizedMethod.BeginKey()</summary>
    public MethodReference BeginKey { get; }

    /// <summary>TResult Invoke&lt;TArgs, TResult&gt;(MemoKey, TArgs, Func&lt;TArgs, TResult&gt;, CancellationToken)</summary>
    public MethodReference Invoke { get; }

    /// <summary>Task&lt;TResult&gt; InvokeAsync&lt;TArgs, TResult&gt;(MemoKey, TArgs, Func&lt;TArgs, Task&lt;TResult&gt;&gt;, CancellationToken)</summary>
    public MethodReference InvokeAsync { get; }

    /// <summary>ValueTask&lt;TResult&gt; InvokeValueTaskAsync&lt;TArgs, TResult&gt;(MemoKey, TArgs, Func&lt;TArgs, ValueTask&lt;TResult&gt;&gt;, CancellationToken)</summary>
    public MethodReference InvokeValueTaskAsync { get; }

    /// <summary>void KeyBuilder.Add&lt;T&gt;(T)</summary>
    public MethodReference Add { get; }

    /// <summary>void KeyBuilder.AddType&lt;T&gt;()</summary>
    public MethodReference AddType { get; }

    /// <summary>MemoKey KeyBuilder.Complete()</summary>
    public MethodReference Complete { get; }

    public TypeDefinition FuncOfTwo { get; }

    public TypeReference EmptyValueTuple { get; }

    public MethodReference CompilerGeneratedConstructor { get; }

    public MethodReference DebuggerStepThroughConstructor { get; }

    /// <summary>System.ValueTuple`arity (1 to 8), for packing a call's arguments.</summary>
    public TypeReference ValueTuple(int arity) => _module.ImportReference(_valueTuples[arity - 1]);

    private MethodReference Import(TypeDefinition type, string name) => _module.ImportReference(type.Methods.Single(m => m.Name == name));

    private MethodReference ImportDefaultConstructor(ModuleWeaver weaver, string attribute) =>
        _module.ImportReference(Find(weaver, attribute).Methods.Single(m => m.IsConstructor && !m.IsStatic && !m.HasParameters));

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
