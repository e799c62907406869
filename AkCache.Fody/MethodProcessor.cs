using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace AkCache.Fody;

/// <summary>
/// Weaves one synchronous static method. The original body moves, untouched, to a private method
/// "Name$Original"; the method itself becomes a short stub:
/// <code>
/// var method = s_site ??= MemoizedMethod.Create("Type.Name(params)", maxAgeSeconds);
/// var builder = method.BeginKey();
/// builder.Add(arg1); ... builder.Add(argN);
/// var key = builder.Complete();
/// if (method.TryGet(key, out T result)) return result;
/// result = Name$Original(arg1, ..., argN);
/// method.Store(key, result);
/// return result;
/// </code>
/// </summary>
internal sealed class MethodProcessor
{
    private readonly MemoizeCandidate _candidate;
    private readonly ReferenceFinder _references;
    private readonly ModuleDefinition _module;
    private readonly MethodDefinition _method;

    public MethodProcessor(MemoizeCandidate candidate, ReferenceFinder references, ModuleDefinition module)
    {
        _candidate = candidate;
        _references = references;
        _module = module;
        _method = candidate.Method;
    }

    public void Process()
    {
        var original = MoveBodyToOriginal();
        var site = AddSiteField();
        EmitStub(original, site);
        _method.CustomAttributes.Add(new CustomAttribute(_references.DebuggerStepThroughConstructor));
    }

    private MethodDefinition MoveBodyToOriginal()
    {
        var original = new MethodDefinition(
            _method.Name + "$Original",
            MethodAttributes.Private | MethodAttributes.Static | MethodAttributes.HideBySig,
            _method.ReturnType);
        foreach (var parameter in _method.Parameters)
        {
            original.Parameters.Add(new ParameterDefinition(parameter.Name, parameter.Attributes & ParameterAttributes.In, parameter.ParameterType));
        }

        var from = _method.Body;
        var to = original.Body;
        to.InitLocals = from.InitLocals;
        to.MaxStackSize = from.MaxStackSize;
        foreach (var variable in from.Variables)
        {
            to.Variables.Add(variable);
        }

        var instructions = from.Instructions.ToList();
        var handlers = from.ExceptionHandlers.ToList();
        from.Variables.Clear();
        from.ExceptionHandlers.Clear();
        from.Instructions.Clear();
        foreach (var instruction in instructions)
        {
            if (instruction.Operand is ParameterDefinition parameter)
            {
                instruction.Operand = original.Parameters[parameter.Index];
            }

            to.Instructions.Add(instruction);
        }

        foreach (var handler in handlers)
        {
            to.ExceptionHandlers.Add(handler);
        }

        var debug = _method.DebugInformation;
        foreach (var point in debug.SequencePoints)
        {
            original.DebugInformation.SequencePoints.Add(point);
        }

        original.DebugInformation.Scope = debug.Scope;
        debug.SequencePoints.Clear();
        debug.Scope = null;

        _method.DeclaringType.Methods.Add(original);
        return original;
    }

    private FieldDefinition AddSiteField()
    {
        var index = _method.DeclaringType.Fields.Count(f => f.Name.StartsWith("<AkCache>", System.StringComparison.Ordinal));
        var field = new FieldDefinition(
            $"<AkCache>{_method.Name}{index}",
            FieldAttributes.Private | FieldAttributes.Static,
            _references.MemoizedMethodType);
        field.CustomAttributes.Add(new CustomAttribute(_references.CompilerGeneratedConstructor));
        _method.DeclaringType.Fields.Add(field);
        return field;
    }

    private void EmitStub(MethodDefinition original, FieldDefinition site)
    {
        var returnType = _method.ReturnType;
        var body = _method.Body;
        body.InitLocals = true;
        var siteVariable = new VariableDefinition(_references.MemoizedMethodType);
        var builderVariable = new VariableDefinition(_references.KeyBuilderType);
        var keyVariable = new VariableDefinition(_references.MemoKeyType);
        var resultVariable = new VariableDefinition(returnType);
        body.Variables.Add(siteVariable);
        body.Variables.Add(builderVariable);
        body.Variables.Add(keyVariable);
        body.Variables.Add(resultVariable);

        var il = body.GetILProcessor();
        var haveSite = il.Create(OpCodes.Stloc, siteVariable);
        il.Emit(OpCodes.Ldsfld, site);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Brtrue, haveSite);
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Ldstr, MethodIdentity.For(_method));
        il.Emit(OpCodes.Ldc_I4, _candidate.MaxAgeSeconds);
        il.Emit(OpCodes.Call, _references.Create);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Stsfld, site);
        il.Append(haveSite);

        il.Emit(OpCodes.Ldloc, siteVariable);
        il.Emit(OpCodes.Callvirt, _references.BeginKey);
        il.Emit(OpCodes.Stloc, builderVariable);
        foreach (var parameter in _method.Parameters)
        {
            var type = parameter.ParameterType;
            il.Emit(OpCodes.Ldloca, builderVariable);
            il.Emit(OpCodes.Ldarg, parameter);
            if (type is ByReferenceType byReference)
            {
                type = byReference.ElementType;
                il.Emit(OpCodes.Ldobj, type);
            }

            il.Emit(OpCodes.Call, Generic(_references.Add, type));
        }

        il.Emit(OpCodes.Ldloca, builderVariable);
        il.Emit(OpCodes.Call, _references.Complete);
        il.Emit(OpCodes.Stloc, keyVariable);

        var miss = il.Create(OpCodes.Nop);
        il.Emit(OpCodes.Ldloc, siteVariable);
        il.Emit(OpCodes.Ldloc, keyVariable);
        il.Emit(OpCodes.Ldloca, resultVariable);
        il.Emit(OpCodes.Callvirt, Generic(_references.TryGet, returnType));
        il.Emit(OpCodes.Brfalse, miss);
        il.Emit(OpCodes.Ldloc, resultVariable);
        il.Emit(OpCodes.Ret);

        il.Append(miss);
        foreach (var parameter in _method.Parameters)
        {
            il.Emit(OpCodes.Ldarg, parameter);
        }

        il.Emit(OpCodes.Call, original);
        il.Emit(OpCodes.Stloc, resultVariable);
        il.Emit(OpCodes.Ldloc, siteVariable);
        il.Emit(OpCodes.Ldloc, keyVariable);
        il.Emit(OpCodes.Ldloc, resultVariable);
        il.Emit(OpCodes.Callvirt, Generic(_references.Store, returnType));
        il.Emit(OpCodes.Ldloc, resultVariable);
        il.Emit(OpCodes.Ret);

        body.OptimizeMacros();
    }

    private MethodReference Generic(MethodReference method, TypeReference argument)
    {
        var instance = new GenericInstanceMethod(method);
        instance.GenericArguments.Add(_module.ImportReference(argument));
        return instance;
    }
}
