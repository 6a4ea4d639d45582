#!/usr/bin/env python3
"""Writes the .keras fixtures of Sharpkeras.Tests/Saving/KerasFormatTests.cs.

Each file is laid out exactly as Keras 3's saving_lib writes it (a zip with metadata.json, config.json in
serialization_lib's format, and model.weights.h5 with one `<path>/vars` group per layer holding datasets
"0", "1", ... in the layer's variable order). Keras itself is not needed: the configs are written out here,
the weights are seeded random numbers, and the expected predictions are computed with plain numpy from the
layers' definitions (conv, batch norm in inference mode, max pooling, dense, LSTM and GRU equations), so the
tests check Sharpkeras against the math, not against itself.

Run with Debian's python3-h5py and python3-numpy:  /usr/bin/python3 make_keras_fixtures.py
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261202)


def policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def init(name, config=None):
    return {"module": "keras.initializers", "class_name": name, "config": config or {}, "registered_name": None}


def layer(class_name, config, build_shape=None, inbound=None):
    rec = {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None}
    if build_shape is not None:
        rec["build_config"] = {"input_shape": build_shape}
    if inbound is not None:
        rec["name"] = config["name"]
        rec["inbound_nodes"] = inbound
    return rec


def base(name):
    return {"name": name, "trainable": True, "dtype": policy()}


def tensor(shape, history):
    return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32", "keras_history": history}}


def write_keras(path, config, weights):
    """weights: list of (group path, [arrays])."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for group, arrays in weights:
            g = f.create_group(group).create_group("vars")
            for i, a in enumerate(arrays):
                g[str(i)] = a.astype(np.float32)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.10.0", "date_saved": "2026-12-02@10:00:00"}))
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("model.weights.h5", buf.getvalue())


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32) * 0.5


# ------------------------------------------------------------------ 1. Sequential CNN
def sequential_cnn():
    k, b = r(3, 3, 2, 3), r(3)
    gamma, beta, mean, var = r(3) + 1.0, r(3), r(3), np.abs(r(3)) + 0.5
    dk, db = r(12, 2), r(2)
    config = {
        "module": "keras", "class_name": "Sequential", "registered_name": None,
        "config": {"name": "sequential", "trainable": True, "dtype": policy(), "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_shape": [None, 6, 6, 2], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_layer"}},
            layer("Conv2D", {**base("conv2d"), "filters": 3, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                             "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu",
                             "use_bias": True, "kernel_initializer": init("GlorotUniform", {"seed": None}),
                             "bias_initializer": init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
                             "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None},
                  [None, 6, 6, 2]),
            layer("BatchNormalization", {**base("batch_normalization"), "axis": -1, "momentum": 0.99, "epsilon": 0.001,
                                         "center": True, "scale": True, "beta_initializer": init("Zeros"),
                                         "gamma_initializer": init("Ones"), "moving_mean_initializer": init("Zeros"),
                                         "moving_variance_initializer": init("Ones"), "beta_regularizer": None,
                                         "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None,
                                         "synchronized": False},
                  [None, 4, 4, 3]),
            layer("MaxPooling2D", {**base("max_pooling2d"), "pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
                                   "data_format": "channels_last"}),
            layer("Flatten", {**base("flatten"), "data_format": "channels_last"}),
            layer("Dense", {**base("dense"), "units": 2, "activation": "softmax", "use_bias": True,
                            "kernel_initializer": init("GlorotUniform", {"seed": None}), "bias_initializer": init("Zeros"),
                            "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None,
                            "bias_constraint": None, "quantization_config": None},
                  [None, 12]),
        ], "build_input_shape": [None, 6, 6, 2]},
        "build_config": {"input_shape": [None, 6, 6, 2]},
        "compile_config": {
            "optimizer": {"module": "keras.optimizers", "class_name": "Adam", "registered_name": None,
                          "config": {"name": "adam", "learning_rate": 0.002, "weight_decay": None, "clipnorm": None,
                                     "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                                     "ema_overwrite_frequency": None, "loss_scale_factor": None,
                                     "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999,
                                     "epsilon": 1e-07, "amsgrad": False}},
            "loss": "sparse_categorical_crossentropy", "loss_weights": None, "metrics": ["accuracy"],
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False},
    }
    weights = [("layers/conv2d", [k, b]), ("layers/batch_normalization", [gamma, beta, mean, var]),
               ("layers/dense", [dk, db])]
    x = r(2, 6, 6, 2)
    conv = np.zeros((2, 4, 4, 3), np.float64)
    for i in range(4):
        for j in range(4):
            conv[:, i, j, :] = np.einsum("nhwc,hwcf->nf", x[:, i:i + 3, j:j + 3, :], k) + b
    conv = np.maximum(conv, 0)
    bn = (conv - mean) / np.sqrt(var + 0.001) * gamma + beta
    pool = bn.reshape(2, 2, 2, 2, 2, 3).max(axis=(2, 4))
    y = softmax(pool.reshape(2, 12) @ dk + db)
    write_keras(os.path.join(HERE, "sequential_cnn.keras"), config, weights)
    return {"x": x.tolist(), "x_shape": list(x.shape), "y": y.tolist(), "y_shape": list(y.shape)}


# ------------------------------------------------------------------ 2. Functional LSTM -> GRU -> Dense -> Dense
def functional_rnn():
    T, F, U1, U2 = 4, 3, 5, 4
    lk, lr_, lb = r(F, 4 * U1), r(U1, 4 * U1), r(4 * U1)
    gk, gr, gb = r(U1, 3 * U2), r(U2, 3 * U2), r(2, 3 * U2)
    d1k, d1b, d2k, d2b = r(U2, 3), r(3), r(3, 1), r(1)
    rnn_common = {"return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
                  "zero_output_for_mask": False, "activation": "tanh", "recurrent_activation": "sigmoid",
                  "use_bias": True, "kernel_initializer": init("GlorotUniform", {"seed": None}),
                  "recurrent_initializer": init("Orthogonal", {"gain": 1.0, "seed": None}),
                  "bias_initializer": init("Zeros"), "kernel_regularizer": None, "recurrent_regularizer": None,
                  "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
                  "recurrent_constraint": None, "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0,
                  "seed": None}
    dense_common = {"use_bias": True, "kernel_initializer": init("GlorotUniform", {"seed": None}),
                    "bias_initializer": init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
                    "kernel_constraint": None, "bias_constraint": None}
    config = {
        "module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
        "config": {"name": "rnn_model", "trainable": True, "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": "input_layer",
             "config": {"batch_shape": [None, T, F], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_layer"},
             "inbound_nodes": []},
            layer("LSTM", {**base("lstm"), "return_sequences": True, "units": U1, "unit_forget_bias": True, **rnn_common},
                  [None, T, F], [{"args": [tensor([None, T, F], ["input_layer", 0, 0])], "kwargs": {"training": False, "mask": None}}]),
            layer("GRU", {**base("gru"), "return_sequences": False, "units": U2, "reset_after": True, **rnn_common},
                  [None, T, U1], [{"args": [tensor([None, T, U1], ["lstm", 0, 0])], "kwargs": {"training": False, "mask": None}}]),
            layer("Dense", {**base("dense"), "units": 3, "activation": "relu", **dense_common},
                  [None, U2], [{"args": [tensor([None, U2], ["gru", 0, 0])], "kwargs": {}}]),
            layer("Dense", {**base("dense_1"), "units": 1, "activation": "sigmoid", **dense_common},
                  [None, 3], [{"args": [tensor([None, 3], ["dense", 0, 0])], "kwargs": {}}]),
        ], "input_layers": ["input_layer", 0, 0], "output_layers": ["dense_1", 0, 0]},
        "build_config": {"input_shape": None},
    }
    weights = [("layers/lstm/cell", [lk, lr_, lb]), ("layers/gru/cell", [gk, gr, gb]),
               ("layers/dense", [d1k, d1b]), ("layers/dense_1", [d2k, d2b])]
    x = r(2, T, F).astype(np.float64)
    h, c = np.zeros((2, U1)), np.zeros((2, U1))
    seq = []
    for t in range(T):
        z = x[:, t] @ lk + h @ lr_ + lb
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        seq.append(h)
    h2 = np.zeros((2, U2))
    for t in range(T):
        mx = seq[t] @ gk + gb[0]
        mi = h2 @ gr + gb[1]
        xz, xr, xh = np.split(mx, 3, axis=-1)
        rz, rr, rh = np.split(mi, 3, axis=-1)
        zg, rg = sigmoid(xz + rz), sigmoid(xr + rr)
        hh = np.tanh(xh + rg * rh)
        h2 = zg * h2 + (1 - zg) * hh
    y = sigmoid(np.maximum(h2 @ d1k + d1b, 0) @ d2k + d2b)
    write_keras(os.path.join(HERE, "functional_rnn.keras"), config, weights)
    return {"x": x.tolist(), "x_shape": list(x.shape), "y": y.tolist(), "y_shape": list(y.shape)}


# ------------------------------------------------------------------ 3. hostile files
def small_dense_config(units):
    return {
        "module": "keras", "class_name": "Sequential", "registered_name": None,
        "config": {"name": "sequential", "trainable": True, "dtype": policy(), "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_shape": [None, 4], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_layer"}},
            layer("Dense", {**base("dense"), "units": units, "activation": "linear", "use_bias": True}, [None, 4]),
        ]},
    }


def hostile():
    # A kernel dataset that declares (2^20, 2^20) float32 values (4 TiB) but stores none: chunked, never written.
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        g = f.create_group("layers/dense").create_group("vars")
        g.create_dataset("0", shape=(1 << 20, 1 << 20), dtype="f4", chunks=(64, 64))
        g["1"] = np.zeros(2, np.float32)
    with zipfile.ZipFile(os.path.join(HERE, "giant_dataset.keras"), "w") as zf:
        zf.writestr("config.json", json.dumps(small_dense_config(2)))
        zf.writestr("model.weights.h5", buf.getvalue())
    # A config whose Dense layer would need 4 * 2^28 weights while the file holds a few bytes.
    write_keras(os.path.join(HERE, "giant_layer.keras"), small_dense_config(1 << 28),
                [("layers/dense", [np.zeros((4, 2)), np.zeros(2)])])


hostile()
expected = {"sequential_cnn": sequential_cnn(), "functional_rnn": functional_rnn()}
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", ", ".join(sorted(os.listdir(HERE))))
