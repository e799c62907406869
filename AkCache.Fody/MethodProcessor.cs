using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace AkCache.Fody;

/// <summary>
/// Weaves one method. The original keeps its body, untouched, under the name "Name$Original" and
/// becomes private; a new method with the original's name and signature takes its place:
/// <code>
/// public static R Name(A a, B b)
/// {
///     var method = s_method ??= MemoizedMethod.Create("Type.Name(A,B)", version, maxAgeSeconds);
///     var builder = method.BeginKey();
///     builder.Add(a); builder.Add(b);          // [NotKey] and CancellationToken parameters left out
///     return method.Invoke(builder.Complete(), (a, b), s_body ??= Name$Invoke, cancellationToken);
/// }
/// private static R Name$Invoke((A, B) arguments) => Name$Original(arguments.Item1, arguments.Item2);
/// </code>
/// Task&lt;T&gt; and ValueTask&lt;T&gt; methods call InvokeAsync or InvokeValueTaskAsync instead.
/// </summary>
internal sealed class MethodProcessor
{
    private readonly MemoizeCandidate _candidate;
    private readonly ReferenceFinder _references;
    private readonly ModuleDefinition _module;
    private readonly MethodDefinition _original;
    private readonly TypeDefinition _type;
    private readonly string _name;

    public MethodProcessor(MemoizeCandidate candidate, ReferenceFinder references, ModuleDefinition module)
    {
        _candidate = candidate;
        _references = references;
        _module = module;
        _original = candidate.Method;
        _type = _original.DeclaringType;
        _name = _original.Name;
    }

    /// <summary>Weaves the method; returns the stub that callers must now reach instead of the original.</summary>
    public MethodDefinition Process()
    {
        var stub = CreateStub();
        _original.Name = _name + "$Original";
        _original.Attributes = (_original.Attributes & ~MethodAttributes.MemberAccessMask) | MethodAttributes.Private;
        var invoker = CreateInvoker(_name);
        EmitStubBody(stub, invoker);
        _type.Methods.Add(stub);
        _type.Methods.Add(invoker);
        return stub;
    }

    /// <summary>A method with the original's name, signature, parameters (defaults, params) and attributes.</summary>
    private MethodDefinition CreateStub()
    {
        var stub = new MethodDefinition(_original.Name, _original.Attributes, _module.TypeSystem.Void);
        GenericRemapper.CopyGenericParameters(_original, stub);
        var remap = new GenericRemapper(_original, stub);
        stub.ReturnType = remap.Map(_original.ReturnType);
        foreach (var attribute in _original.MethodReturnType.CustomAttributes)
        {
            stub.MethodReturnType.CustomAttributes.Add(attribute);
        }

        foreach (var parameter in _original.Parameters)
        {
            var copy = new ParameterDefinition(parameter.Name, parameter.Attributes, remap.Map(parameter.ParameterType));
            if (parameter.HasConstant)
            {
                copy.Constant = parameter.Constant;
            }

            foreach (var attribute in parameter.CustomAttributes)
            {
                copy.CustomAttributes.Add(attribute);
            }

            stub.Parameters.Add(copy);
        }

        foreach (var attribute in _original.CustomAttributes.Where(a => !IsCompilerStateMachineAttribute(a)).ToList())
        {
            stub.CustomAttributes.Add(attribute);
            if (!IsNullableMetadata(attribute))
            {
                _original.CustomAttributes.Remove(attribute);
            }
        }

        stub.CustomAttributes.Add(new CustomAttribute(_references.DebuggerStepThroughConstructor));
        return stub;
    }

    /// <summary>Nullable annotations describe the signature, which both methods share: keep them on both.</summary>
    private static bool IsNullableMetadata(CustomAttribute attribute) =>
        attribute.AttributeType.FullName is "System.Runtime.CompilerServices.NullableContextAttribute" or "System.Runtime.CompilerServices.NullableAttribute";

    private static bool IsCompilerStateMachineAttribute(CustomAttribute attribute) =>
        attribute.AttributeType.FullName is "System.Runtime.CompilerServices.AsyncStateMachineAttribute"
            or "System.Runtime.CompilerServices.IteratorStateMachineAttribute"
            or "System.Diagnostics.DebuggerStepThroughAttribute";

    /// <summary>private static R Name$Invoke(TArgs arguments) => Name$Original(arguments.Item1, ...);</summary>
    private MethodDefinition CreateInvoker(string name)
    {
        var invoker = new MethodDefinition(name + "$Invoke", MethodAttributes.Private | MethodAttributes.Static | MethodAttributes.HideBySig, _module.TypeSystem.Void);
        GenericRemapper.CopyGenericParameters(_original, invoker);
        var remap = new GenericRemapper(_original, invoker);
        invoker.ReturnType = remap.Map(_original.ReturnType);
        var argumentsType = ArgumentsType(_original.Parameters.Select(p => ValueType(remap.Map(p.ParameterType))).ToList());
        invoker.Parameters.Add(new ParameterDefinition("arguments", ParameterAttributes.None, argumentsType));
        invoker.CustomAttributes.Add(new CustomAttribute(_references.CompilerGeneratedConstructor));

        var il = invoker.Body.GetILProcessor();
        for (var i = 0; i < _original.Parameters.Count; i++)
        {
            il.Emit(OpCodes.Ldarga, invoker.Parameters[0]);
            var path = FieldPath(argumentsType, i);
            for (var step = 0; step < path.Count - 1; step++)
            {
                il.Emit(OpCodes.Ldflda, path[step]);
            }

            il.Emit(_original.Parameters[i].ParameterType.IsByReference ? OpCodes.Ldflda : OpCodes.Ldfld, path[path.Count - 1]);
        }

        il.Emit(OpCodes.Call, Instantiate(_original, invoker));
        il.Emit(OpCodes.Ret);
        return invoker;
    }

    private void EmitStubBody(MethodDefinition stub, MethodDefinition invoker)
    {
        var body = stub.Body;
        body.InitLocals = true;
        var site = new VariableDefinition(_references.MemoizedMethodType);
        var builder = new VariableDefinition(_references.KeyBuilderType);
        body.Variables.Add(site);
        body.Variables.Add(builder);
        var il = body.GetILProcessor();

        EmitCached(il, _references.MemoizedMethodType, "Method", () =>
        {
            il.Emit(OpCodes.Ldstr, _candidate.Identity);
            il.Emit(OpCodes.Ldstr, _candidate.Version);
            il.Emit(OpCodes.Ldc_I4, _candidate.MaxAgeSeconds);
            if (_candidate.LocalSetting != 0)
            {
                // Only methods that change the local layer's defaults pass the setting: the others' IL stays as it was.
                if (_candidate.Serializer is { } named)
                {
                    il.Emit(OpCodes.Ldstr, named);
                }
                else
                {
                    il.Emit(OpCodes.Ldnull);
                }

                il.Emit(OpCodes.Ldc_I4, _candidate.LocalSetting);
                il.Emit(OpCodes.Call, _references.CreateWithLocalSetting);
            }
            else if (_candidate.Serializer is { } serializer)
            {
                il.Emit(OpCodes.Ldstr, serializer);
                il.Emit(OpCodes.Call, _references.CreateWithSerializer);
            }
            else
            {
                il.Emit(OpCodes.Call, _references.Create);
            }
        });
        il.Emit(OpCodes.Stloc, site);

        il.Emit(OpCodes.Ldloc, site);
        il.Emit(OpCodes.Callvirt, _references.BeginKey);
        il.Emit(OpCodes.Stloc, builder);
        foreach (var typeArgument in _type.GenericParameters.Cast<TypeReference>().Concat(stub.GenericParameters))
        {
            il.Emit(OpCodes.Ldloca, builder);
            il.Emit(OpCodes.Call, Generic(_references.AddType, typeArgument));
        }

        foreach (var parameter in stub.Parameters.Where(p => _candidate.IsKeyParameter(p.Index)))
        {
            var type = ValueType(parameter.ParameterType);
            il.Emit(OpCodes.Ldloca, builder);
            il.Emit(OpCodes.Ldarg, parameter);
            if (parameter.ParameterType.IsByReference)
            {
                il.Emit(OpCodes.Ldobj, type);
            }

            il.Emit(OpCodes.Call, Generic(_references.Add, type));
        }

        il.Emit(OpCodes.Ldloc, site);
        il.Emit(OpCodes.Ldloca, builder);
        il.Emit(OpCodes.Call, _references.Complete);

        var argumentTypes = stub.Parameters.Select(p => ValueType(p.ParameterType)).ToList();
        var argumentsType = ArgumentsType(argumentTypes);
        EmitArguments(il, stub, argumentsType, 0);
        EmitBodyDelegate(il, stub, invoker, argumentsType);
        EmitCancellationToken(il, stub, body);

        var (invoke, result) = InvokeFor(stub.ReturnType);
        var call = new GenericInstanceMethod(invoke);
        call.GenericArguments.Add(argumentsType);
        call.GenericArguments.Add(result);
        il.Emit(OpCodes.Callvirt, call);
        il.Emit(OpCodes.Ret);
        body.OptimizeMacros();
    }

    /// <summary>Which runtime entry point a return type calls, and the result type it caches.</summary>
    private (MethodReference Invoke, TypeReference Result) InvokeFor(TypeReference returnType)
    {
        if (returnType is GenericInstanceType instance)
        {
            switch (instance.ElementType.FullName)
            {
                case "System.Threading.Tasks.Task`1":
                    return (_references.InvokeAsync, instance.GenericArguments[0]);
                case "System.Threading.Tasks.ValueTask`1":
                    return (_references.InvokeValueTaskAsync, instance.GenericArguments[0]);
            }
        }

        return (_references.Invoke, returnType);
    }

    /// <summary>
    /// Loads a value kept in a static field of the declaring type, creating it on first use. Two
    /// threads may both create it; both values are equivalent, so the race is harmless.
    /// </summary>
    private void EmitCached(ILProcessor il, TypeReference fieldType, string purpose, System.Action emitCreate)
    {
        // Unique within the type, overloads included: a generic type's fields are referenced by name.
        var index = _type.Fields.Count(f => f.Name.StartsWith("<AkCache>", System.StringComparison.Ordinal));
        var field = new FieldDefinition($"<AkCache>{_name}${purpose}{index}", FieldAttributes.Private | FieldAttributes.Static, fieldType);
        field.CustomAttributes.Add(new CustomAttribute(_references.CompilerGeneratedConstructor));
        _type.Fields.Add(field);
        var reference = SelfReference(field);
        var loaded = il.Create(OpCodes.Nop);
        il.Emit(OpCodes.Ldsfld, reference);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Brtrue, loaded);
        il.Emit(OpCodes.Pop);
        emitCreate();
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stsfld, reference);
        il.Append(loaded);
    }

    private void EmitBodyDelegate(ILProcessor il, MethodDefinition stub, MethodDefinition invoker, TypeReference argumentsType)
    {
        var delegateType = new GenericInstanceType(_module.ImportReference(_references.FuncOfTwo));
        delegateType.GenericArguments.Add(argumentsType);
        delegateType.GenericArguments.Add(stub.ReturnType);
        var constructor = new MethodReference(".ctor", _module.TypeSystem.Void, delegateType) { HasThis = true };
        constructor.Parameters.Add(new ParameterDefinition(_module.TypeSystem.Object));
        constructor.Parameters.Add(new ParameterDefinition(_module.TypeSystem.IntPtr));

        void Create()
        {
            il.Emit(OpCodes.Ldnull);
            il.Emit(OpCodes.Ldftn, Instantiate(invoker, stub));
            il.Emit(OpCodes.Newobj, constructor);
        }

        if (stub.HasGenericParameters)
        {
            // One delegate per instantiation would need a field per type argument: create it per call.
            Create();
        }
        else
        {
            EmitCached(il, delegateType, "Body", Create);
        }
    }

    private void EmitCancellationToken(ILProcessor il, MethodDefinition stub, MethodBody body)
    {
        var token = stub.Parameters.FirstOrDefault(p => p.ParameterType.FullName == "System.Threading.CancellationToken");
        if (token is not null)
        {
            il.Emit(OpCodes.Ldarg, token);
            return;
        }

        var none = new VariableDefinition(_references.CancellationTokenType);
        body.Variables.Add(none);
        il.Emit(OpCodes.Ldloca, none);
        il.Emit(OpCodes.Initobj, _references.CancellationTokenType);
        il.Emit(OpCodes.Ldloc, none);
    }

    /// <summary>Pushes the arguments packed into <paramref name="argumentsType"/>, starting at parameter <paramref name="first"/>.</summary>
    private void EmitArguments(ILProcessor il, MethodDefinition stub, TypeReference argumentsType, int first)
    {
        if (argumentsType.FullName == "System.ValueTuple")
        {
            var empty = new VariableDefinition(argumentsType);
            stub.Body.Variables.Add(empty);
            il.Emit(OpCodes.Ldloca, empty);
            il.Emit(OpCodes.Initobj, argumentsType);
            il.Emit(OpCodes.Ldloc, empty);
            return;
        }

        var tuple = (GenericInstanceType)argumentsType;
        var count = tuple.GenericArguments.Count;
        var direct = count == 8 ? 7 : count;
        for (var i = 0; i < direct; i++)
        {
            var parameter = stub.Parameters[first + i];
            il.Emit(OpCodes.Ldarg, parameter);
            if (parameter.ParameterType.IsByReference)
            {
                il.Emit(OpCodes.Ldobj, ValueType(parameter.ParameterType));
            }
        }

        if (count == 8)
        {
            EmitArguments(il, stub, tuple.GenericArguments[7], first + 7);
        }

        var constructor = new MethodReference(".ctor", _module.TypeSystem.Void, tuple) { HasThis = true };
        for (var i = 0; i < count; i++)
        {
            constructor.Parameters.Add(new ParameterDefinition(tuple.ElementType.GenericParameters[i]));
        }

        il.Emit(OpCodes.Newobj, constructor);
    }

    /// <summary>System.ValueTuple of the types; past seven, the eighth element nests the rest.</summary>
    private TypeReference ArgumentsType(IReadOnlyList<TypeReference> types)
    {
        if (types.Count == 0)
        {
            return _references.EmptyValueTuple;
        }

        var direct = types.Count > 7 ? 7 : types.Count;
        var tuple = new GenericInstanceType(_references.ValueTuple(types.Count > 7 ? 8 : types.Count));
        foreach (var type in types.Take(direct))
        {
            tuple.GenericArguments.Add(type);
        }

        if (types.Count > 7)
        {
            tuple.GenericArguments.Add(ArgumentsType(types.Skip(7).ToList()));
        }

        return tuple;
    }

    /// <summary>The fields to follow from the packed arguments to parameter <paramref name="index"/>: Rest, Rest, ..., ItemN.</summary>
    private List<FieldReference> FieldPath(TypeReference argumentsType, int index)
    {
        var path = new List<FieldReference>();
        var tuple = (GenericInstanceType)argumentsType;
        while (index >= 7 && tuple.GenericArguments.Count == 8)
        {
            path.Add(new FieldReference("Rest", tuple.ElementType.GenericParameters[7], tuple));
            tuple = (GenericInstanceType)tuple.GenericArguments[7];
            index -= 7;
        }

        path.Add(new FieldReference("Item" + (index + 1), tuple.ElementType.GenericParameters[index], tuple));
        return path;
    }

    private static TypeReference ValueType(TypeReference type) => type is ByReferenceType byReference ? byReference.ElementType : type;

    private MethodReference Generic(MethodReference method, TypeReference argument)
    {
        var instance = new GenericInstanceMethod(method);
        instance.GenericArguments.Add(argument);
        return instance;
    }

    /// <summary>
    /// A reference to <paramref name="target"/> as seen from <paramref name="caller"/>: on the
    /// declaring type instantiated with its own parameters, and with the caller's method parameters.
    /// </summary>
    private MethodReference Instantiate(MethodDefinition target, MethodDefinition caller)
    {
        MethodReference reference = target;
        if (_type.HasGenericParameters)
        {
            reference = new MethodReference(target.Name, target.ReturnType, SelfType())
            {
                HasThis = target.HasThis,
                ExplicitThis = target.ExplicitThis,
                CallingConvention = target.CallingConvention,
            };
            foreach (var parameter in target.Parameters)
            {
                reference.Parameters.Add(new ParameterDefinition(parameter.ParameterType));
            }

            foreach (var parameter in target.GenericParameters)
            {
                reference.GenericParameters.Add(new GenericParameter(parameter.Name, reference));
            }
        }

        if (!target.HasGenericParameters)
        {
            return reference;
        }

        var instance = new GenericInstanceMethod(reference);
        foreach (var parameter in caller.GenericParameters)
        {
            instance.GenericArguments.Add(parameter);
        }

        return instance;
    }

    private FieldReference SelfReference(FieldDefinition field) =>
        _type.HasGenericParameters ? new FieldReference(field.Name, field.FieldType, SelfType()) : field;

    private GenericInstanceType SelfType()
    {
        var self = new GenericInstanceType(_type);
        foreach (var parameter in _type.GenericParameters)
        {
            self.GenericArguments.Add(parameter);
        }

        return self;
    }
}
