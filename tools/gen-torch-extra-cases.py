"""Extra PyTorch reference cases for the io side (train and safetensors kinds), in the exact
format of ../shared/reference, covering what those cases do not: bidirectional and stacked
models, many-to-one readouts, RNN relu, no bias, SGD Nesterov / dampening / weight decay,
Adam with weight decay and custom betas, centered RMSprop with momentum, clipping by value,
and .safetensors files in F16, BF16 and F64.

Not part of the build: run by hand where torch and safetensors are installed
(`python3 tools/gen-torch-extra-cases.py tests/fixtures/torch-extra`). Float64 throughout;
weights and inputs are float32-representable (rounded through float32 first), as in the
reference cases.
"""

import json
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

torch.set_default_dtype(torch.float64)


def f32(t):
    return t.to(torch.float32).to(torch.float64)


def tensor_json(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


RNN_CLASSES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn-tanh": torch.nn.RNN, "rnn-relu": torch.nn.RNN}


class Net(torch.nn.Module):
    def __init__(self, spec):
        super().__init__()
        kw = dict(
            input_size=spec["inputSize"],
            hidden_size=spec["hiddenSize"],
            num_layers=spec["numLayers"],
            bidirectional=spec["bidirectional"],
            bias=spec["bias"],
        )
        if spec["cell"].startswith("rnn"):
            kw["nonlinearity"] = "relu" if spec["cell"] == "rnn-relu" else "tanh"
        self.rnn = RNN_CLASSES[spec["cell"]](**kw)
        d = 2 if spec["bidirectional"] else 1
        self.fc = torch.nn.Linear(d * spec["hiddenSize"], spec["outputSize"])
        self.last = spec.get("mode") == "last"
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(f32(p))

    def forward(self, x):
        out, _ = self.rnn(x)
        if self.last:
            out = out[-1]
        return self.fc(out)


def state_dict_json(net):
    return {k: tensor_json(v) for k, v in net.state_dict().items()}


def make_optimizer(cfg, params):
    c = {k: v for k, v in cfg.items() if k not in ("name", "clipGradNorm", "clipGradValue")}
    if "weightDecay" in c:
        c["weight_decay"] = c.pop("weightDecay")
    if "betas" in c:
        c["betas"] = tuple(c["betas"])
    return {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}[
        cfg["name"]
    ](params, **c)


def train_case(name, spec, loss, opt_cfg, T, B, steps, seed):
    torch.manual_seed(seed)
    net = Net(spec)
    x = f32(torch.randn(T, B, spec["inputSize"]))
    O = spec["outputSize"]
    last = spec.get("mode") == "last"
    if loss == "mse":
        target = f32(torch.randn(*((B, O) if last else (T, B, O))))
        loss_fn = torch.nn.MSELoss()
        loss_name = "mse-mean-over-last-step" if last else "mse-mean-over-all-steps"
    else:
        target = torch.randint(0, O, (B,) if last else (T, B)).to(torch.float64)
        loss_fn = lambda y, t: torch.nn.functional.cross_entropy(y.reshape(-1, O), t.reshape(-1).long())
        loss_name = "cross-entropy-mean-over-last-step" if last else "cross-entropy-mean-over-all-steps"
    initial = state_dict_json(net)
    opt = make_optimizer(opt_cfg, net.parameters())
    out_steps = []
    for _ in range(steps):
        opt.zero_grad()
        l = loss_fn(net(x), target)
        l.backward()
        params = [p for p in net.parameters()]
        norm = torch.sqrt(sum((p.grad**2).sum() for p in params))
        if opt_cfg.get("clipGradNorm") is not None:
            torch.nn.utils.clip_grad_norm_(params, opt_cfg["clipGradNorm"])
        if opt_cfg.get("clipGradValue") is not None:
            torch.nn.utils.clip_grad_value_(params, opt_cfg["clipGradValue"])
        opt.step()
        out_steps.append({"loss": float(l), "gradNorm": float(norm), "stateDict": state_dict_json(net)})
    case_spec = {k: v for k, v in spec.items() if k != "mode"}
    case_spec["readout"] = (
        "linear on the last time step (keys fc.weight, fc.bias)"
        if last
        else "linear on every time step (keys fc.weight, fc.bias)"
    )
    return {
        "name": name,
        "kind": "train",
        "spec": case_spec,
        "task": {"loss": loss_name, "input": tensor_json(x), "target": tensor_json(target)},
        "optimizer": {**opt_cfg, "semantics": "PyTorch torch.optim defaults unless given"},
        "initialStateDict": initial,
        "steps": out_steps,
    }


def st_case(out_dir, name, spec, dtype, T, B, seed):
    torch.manual_seed(seed)
    net = Net(spec)
    # Round the weights to the storage dtype: the case's readout uses exactly what is stored.
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(p.to(dtype).to(torch.float64))
    file = f"{name}.safetensors"
    save_file(
        {k: v.to(dtype).contiguous() for k, v in net.state_dict().items()},
        str(out_dir / file),
        metadata={"note": "Net(rnn, fc) state_dict"},
    )
    x = f32(torch.randn(T, B, spec["inputSize"]))
    with torch.no_grad():
        y = net(x)
    return {
        "name": name,
        "kind": "safetensors",
        "file": file,
        "spec": {**{k: v for k, v in spec.items() if k != "mode"}, "dtype": str(dtype)},
        "input": tensor_json(x),
        "readoutOutput": tensor_json(y),
    }


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    base = dict(numLayers=1, bidirectional=False, bias=True)
    cases = [
        train_case(
            "train_lstm_2layer_bidir_ce_last_adam_wd",
            dict(base, cell="lstm", inputSize=3, hiddenSize=4, numLayers=2, bidirectional=True, outputSize=3, mode="last"),
            "ce",
            {"name": "adam", "lr": 0.02, "betas": [0.8, 0.95], "eps": 1e-6, "weightDecay": 0.01, "clipGradNorm": 0.5},
            T=6, B=3, steps=5, seed=1,
        ),
        train_case(
            "train_gru_bidir_mse_sgd_nesterov_wd",
            dict(base, cell="gru", inputSize=2, hiddenSize=5, bidirectional=True, outputSize=2),
            "mse",
            {"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True, "weightDecay": 0.001, "clipGradNorm": None},
            T=5, B=2, steps=5, seed=2,
        ),
        train_case(
            "train_rnn_relu_2layer_mse_rmsprop_centered",
            dict(base, cell="rnn-relu", inputSize=4, hiddenSize=6, numLayers=2, outputSize=2),
            "mse",
            {"name": "rmsprop", "lr": 0.005, "alpha": 0.9, "momentum": 0.5, "centered": True, "clipGradNorm": 1.0},
            T=7, B=2, steps=5, seed=3,
        ),
        train_case(
            "train_lstm_nobias_ce_sgd_dampening_clipvalue",
            dict(base, cell="lstm", inputSize=3, hiddenSize=4, bias=False, outputSize=3),
            "ce",
            {"name": "sgd", "lr": 0.3, "momentum": 0.8, "dampening": 0.3, "clipGradValue": 0.05},
            T=5, B=2, steps=5, seed=4,
        ),
        train_case(
            "train_gru_2layer_mse_last_adam_defaults",
            dict(base, cell="gru", inputSize=2, hiddenSize=3, numLayers=2, outputSize=1, mode="last"),
            "mse",
            {"name": "adam"},
            T=8, B=4, steps=5, seed=5,
        ),
        st_case(out_dir, "st_gru_bidir_bf16", dict(base, cell="gru", inputSize=3, hiddenSize=4, bidirectional=True, outputSize=2), torch.bfloat16, T=5, B=2, seed=6),
        st_case(out_dir, "st_lstm_2layer_f16", dict(base, cell="lstm", inputSize=2, hiddenSize=5, numLayers=2, outputSize=3), torch.float16, T=6, B=1, seed=7),
        st_case(out_dir, "st_rnn_tanh_nobias_f64", dict(base, cell="rnn-tanh", inputSize=3, hiddenSize=4, bias=False, outputSize=2), torch.float64, T=4, B=3, seed=8),
    ]
    for c in cases:
        (out_dir / f"{c['name']}.json").write_text(json.dumps(c))
    (out_dir / "VERSIONS.json").write_text(json.dumps({"torch": torch.__version__}))
    print(f"wrote {len(cases)} cases to {out_dir}")


if __name__ == "__main__":
    main()
