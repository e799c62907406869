using System;
using System.Threading.Tasks;

namespace AkCache.Internals.Engine;

/// <summary>
/// The original body of a memoized method, in the form of its entry point. The engine runs one
/// core for the three forms; <see cref="Synchronous"/> tells it which form of I/O to use, so that
/// a synchronous call never waits on a task and an asynchronous one never blocks a thread.
/// </summary>
/// <remarks>Implemented by structs, so that the JIT specializes the core per form and folds <see cref="Synchronous"/> away.</remarks>
internal interface IBody<TArgs, TResult>
{
    bool Synchronous { get; }

    ValueTask<TResult> Run(TArgs arguments);
}

/// <summary>A synchronous body: its ValueTask is always complete.</summary>
internal readonly struct SyncBody<TArgs, TResult> : IBody<TArgs, TResult>
{
    private readonly Func<TArgs, TResult> _body;

    public SyncBody(Func<TArgs, TResult> body) => _body = body;

    public bool Synchronous => true;

    public ValueTask<TResult> Run(TArgs arguments) => new(_body(arguments));
}

/// <summary>A body that returns a <see cref="Task{TResult}"/>.</summary>
internal readonly struct TaskBody<TArgs, TResult> : IBody<TArgs, TResult>
{
    private readonly Func<TArgs, Task<TResult>> _body;

    public TaskBody(Func<TArgs, Task<TResult>> body) => _body = body;

    public bool Synchronous => false;

    public ValueTask<TResult> Run(TArgs arguments) => new(_body(arguments));
}

/// <summary>A body that returns a <see cref="ValueTask{TResult}"/>.</summary>
internal readonly struct ValueTaskBody<TArgs, TResult> : IBody<TArgs, TResult>
{
    private readonly Func<TArgs, ValueTask<TResult>> _body;

    public ValueTaskBody(Func<TArgs, ValueTask<TResult>> body) => _body = body;

    public bool Synchronous => false;

    public ValueTask<TResult> Run(TArgs arguments) => _body(arguments);
}

/// <summary>A result and the bytes it was read from or stored as (null when it cannot be cached): what a computation hands to the callers waiting for it.</summary>
internal readonly struct Computed<TResult>
{
    public Computed(TResult value, byte[]? envelope)
    {
        Value = value;
        Envelope = envelope;
    }

    public TResult Value { get; }

    public byte[]? Envelope { get; }
}
