using Sharpkeras.Layers;
using Sharpkeras.Saving;
using static TorchSharp.torch;

// Custom layers, models and a schedule used by the saving tests (registered ones and deliberately unregistered ones).
namespace Sharpkeras.Tests.Saving;

/// <summary>A registered two-input layer: the element-wise sum (stands in for a merge layer).</summary>
[RegisterSerializable("SavingTests")]
public sealed class SumTwo : Layer
{
    public SumTwo(string? name = null) : base(name) { }

    public override Tensor Call(Tensor[] inputs, bool training) => inputs[0] + inputs[1];

    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
        => [(inputShapes[0], DType)];
}

/// <summary>A registered layer with a weight stored in a permuted (torch) layout, like a conv kernel.</summary>
[RegisterSerializable("SavingTests")]
public sealed class PermutedKernel : Layer
{
    private KerasVariable? _kernel;

    public PermutedKernel(int units, string? name = null) : base(name) => Units = units;

    public int Units { get; }

    public KerasVariable Kernel => _kernel!;

    public override void Build(int?[] inputShape)
    {
        // Keras shape (2, in, units) stored as (units, in, 2).
        _kernel = AddWeight("kernel", [2, inputShape[^1]!.Value, Units], "glorot_uniform", kerasToTorchPermutation: [2, 1, 0]);
    }

    public override Tensor Call(Tensor inputs, bool training)
    {
        var k = _kernel!.Value.permute(2, 1, 0); // back to (2, in, units)
        return inputs.matmul(k[0]) + inputs.matmul(k[1]).tanh();
    }

    public override int?[] ComputeOutputShape(int?[] inputShape) => [.. inputShape[..^1], Units];

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        return c;
    }
}

/// <summary>A registered subclassed model.</summary>
[RegisterSerializable("SavingTests")]
public sealed class TwoTowerNet : Model
{
    private readonly Dense _hidden;
    private readonly Dense _out;
    private readonly Dropout _drop;

    public TwoTowerNet(int units, string? name = null) : base(name)
    {
        Units = units;
        _hidden = new Dense(units, activation: "tanh");
        _drop = new Dropout(0.2, seed: 5);
        _out = new Dense(2);
    }

    public int Units { get; }

    public override Tensor Call(Tensor inputs, bool training) =>
        _out.Apply(_drop.Apply(_hidden.Apply(inputs, training), training), training);

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        return c;
    }
}

/// <summary>A subclassed model that is deliberately NOT registered.</summary>
public sealed class UnregisteredNet : Model
{
    private readonly Dense _d;

    public UnregisteredNet(string? name = null) : base(name) => _d = new Dense(2);

    public override Tensor Call(Tensor inputs, bool training) => _d.Apply(inputs, training);
}

/// <summary>Another unregistered model, registered by a call in one test.</summary>
public sealed class RegisteredByCallNet : Model
{
    private readonly Dense _d;

    public RegisteredByCallNet(string? name = null) : base(name) => _d = new Dense(2);

    public override Tensor Call(Tensor inputs, bool training) => _d.Apply(inputs, training);
}

/// <summary>A registered learning-rate schedule (the built-in schedules live elsewhere).</summary>
[RegisterSerializable("SavingTests")]
public sealed class HalvingSchedule(double initialLearningRate, long halveEvery) : Sharpkeras.Optimizers.Schedules.LearningRateSchedule
{
    public double InitialLearningRate { get; } = initialLearningRate;

    public long HalveEvery { get; } = halveEvery;

    public override double Evaluate(long step) => InitialLearningRate * Math.Pow(0.5, step / HalveEvery);

    public override Dictionary<string, object?> GetConfig() =>
        new() { ["initial_learning_rate"] = InitialLearningRate, ["halve_every"] = HalveEvery };
}

/// <summary>A layer whose config cannot be saved (it holds a function).</summary>
public sealed class UnsavableLayer : Layer
{
    public UnsavableLayer(string? name = null) : base(name) { }

    public override Tensor Call(Tensor inputs, bool training) => inputs;

    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["fn"] = (Func<int, int>)(x => x + 1);
        return c;
    }
}
