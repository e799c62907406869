using System.Linq;
using Mono.Cecil;

namespace AkCache.Fody;

/// <summary>What <see cref="FaithfulShapes"/> found that the runtime can never store or key.</summary>
internal enum ShapeKind
{
    Delegate,
    Stream,
    Task,
    WaitHandle,
    Reflection,
    Exception,
    Handle,
    Lazy,

    /// <summary>A user type deriving from a framework class other than object.</summary>
    FrameworkBase,

    /// <summary>A user interface or abstract class without [MessagePack.Union] subtypes.</summary>
    NoUnion,
}

/// <summary>
/// Where a type sits inside the declared type, as build errors name it: the declared type itself
/// (no path), a member ("Holder.Callback"), or an element or type argument held by a container
/// ("Holder.Tasks holds Task&lt;Int32&gt;"). Below an element the path starts again at the element's
/// type, so a message names the type whose field is wrong.
/// </summary>
internal readonly struct Spot
{
    private readonly string? _path;
    private readonly bool _held;

    private Spot(string? path, bool held, int depth)
    {
        _path = path;
        _held = held;
        Depth = depth;
    }

    public static Spot Declared => default;

    /// <summary>How many members, elements and type arguments down from the declared type.</summary>
    public int Depth { get; }

    /// <summary>An element or type argument of <paramref name="container"/>, which sits here.</summary>
    public Spot Within(TypeReference container) => new(Label(container), held: true, Depth + 1);

    /// <summary>A field of <paramref name="owner"/>, which sits here.</summary>
    public Spot Field(TypeReference owner, string member) => new(Label(owner) + "." + member, held: false, Depth + 1);

    public ShapeProblem Problem(TypeReference type, ShapeKind kind, TypeReference? frameworkBase = null) =>
        new(_path, _held, type, kind, frameworkBase);

    private string Label(TypeReference type) => _path is not null && !_held ? _path : MethodValidator.ShortName(type);
}

/// <summary>A type the runtime can never store or key, where it sits, and the build error's wording.</summary>
internal sealed class ShapeProblem
{
    private readonly string? _path;
    private readonly bool _held;
    private readonly TypeReference _type;
    private readonly ShapeKind _kind;
    private readonly TypeReference? _frameworkBase;

    public ShapeProblem(string? path, bool held, TypeReference type, ShapeKind kind, TypeReference? frameworkBase)
    {
        _path = path;
        _held = held;
        _type = type;
        _kind = kind;
        _frameworkBase = frameworkBase;
    }

    /// <summary>"its result type Holder cannot be cached faithfully: Holder.Callback is a delegate (Func&lt;Int32&gt;). Return data only, or remove [Memoize]."</summary>
    public string ForResult(TypeReference resultType)
    {
        var detail = Detail("cannot be cached faithfully");
        var what = _path is null
            ? detail + (IsProcessState ? ", which cannot be cached faithfully" : "")
            : $"{MethodValidator.ShortName(resultType)} cannot be cached faithfully: {detail}";
        return $"its result type {what}. {Fix(_path is null ? "Return" : "Declare")}, or remove [Memoize].";
    }

    /// <summary>"Filter.Predicate is a delegate (Func&lt;Int32, Boolean&gt;)": what follows "cannot be part of a key: ".</summary>
    public string ForKey() => Detail("has no stable key");

    private bool IsProcessState => _kind is not (ShapeKind.FrameworkBase or ShapeKind.NoUnion);

    private string Name => MethodValidator.ShortName(_type);

    private string BaseName => MethodValidator.ShortName(_frameworkBase!);

    /// <summary>"Holder.Callback is a delegate (Func&lt;Int32&gt;)", "List&lt;Stream&gt; holds Stream, a stream", "Prices derives from List&lt;Decimal&gt;, ...".</summary>
    private string Detail(string privateState)
    {
        var derives = _kind == ShapeKind.FrameworkBase;
        if (_path is null)
        {
            return derives ? $"{Name} {Derivation(privateState)}" : $"{Name} is {Noun}";
        }

        var clause = derives ? "which " + Derivation(privateState) : Noun;
        return _held ? $"{_path} holds {Name}, {clause}"
            : IsProcessState ? $"{_path} is {clause} ({Name})"
            : $"{_path} is {Name}, {clause}";
    }

    private string Derivation(string privateState) => $"derives from {BaseName}, whose private state {privateState}";

    private string Noun => _kind switch
    {
        ShapeKind.Delegate => "a delegate",
        ShapeKind.Stream => "a stream",
        ShapeKind.Task => "a task",
        ShapeKind.WaitHandle => "a wait handle",
        ShapeKind.Reflection => "a reflection object",
        ShapeKind.Exception => "an exception",
        ShapeKind.Handle => "a native handle or pointer",
        ShapeKind.Lazy => "a lazy value",
        _ => $"{(Abstraction?.IsInterface == true ? "an interface" : "an abstract class")} with no [MessagePack.Union] subtypes, so no value of it can be cached",
    };

    private string Fix(string verb) => _kind switch
    {
        ShapeKind.FrameworkBase => $"Hold the {BaseName} in a field instead of deriving from it",
        ShapeKind.NoUnion => $"{verb} a concrete type, or name the subtypes with [MessagePack.Union(0, typeof({ExampleSubtype()}))] on {_type.GetElementType().Name.Split('`')[0]}",
        _ => "Return data only",
    };

    private TypeDefinition? Abstraction => MethodValidator.Resolve(_type);

    /// <summary>A subclass to name in the fix: the first concrete one declared next to the abstraction.</summary>
    private string ExampleSubtype()
    {
        var abstraction = Abstraction;
        var subtype = abstraction?.Module.GetTypes().FirstOrDefault(t => !t.IsAbstract && !t.IsInterface && DerivesDirectly(t, abstraction));
        return subtype?.Name.Split('`')[0] ?? "Subtype";
    }

    private static bool DerivesDirectly(TypeDefinition type, TypeDefinition abstraction) => abstraction.IsInterface
        ? type.Interfaces.Any(i => i.InterfaceType.GetElementType().FullName == abstraction.FullName)
        : type.BaseType?.GetElementType().FullName == abstraction.FullName;
}
