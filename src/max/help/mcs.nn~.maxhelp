{
 "patcher": {
  "fileversion": 1,
  "appversion": {
   "major": 8,
   "minor": 6,
   "revision": 0,
   "architecture": "x64",
   "modernui": 1
  },
  "classnamespace": "box",
  "rect": [
   100,
   100,
   760,
   560
  ],
  "boxes": [
   {
    "box": {
     "id": "obj-208",
     "maxclass": "comment",
     "numinlets": 1,
     "numoutlets": 0,
     "patching_rect": [
      20,
      14,
      480,
      40.0
     ],
     "text": "mcs.nn~ \u2014 nn~ in C. See the tabs: basic, messages, attributes, buffers, void, multichannel.",
     "linecount": 2
    }
   },
   {
    "box": {
     "id": "obj-209",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      76.0,
      120,
      22.0
     ],
     "text": "p basic",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-142",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          60.0
         ],
         "text": "mcs.nn~: runs a deep-learning audio model (RAVE, vschaos2, any nn~ TorchScript file) on signals. The model runs on a worker thread: the audio thread never waits for it.",
         "linecount": 3
        }
       },
       {
        "box": {
         "id": "obj-143",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 1,
         "patching_rect": [
          20,
          96.0,
          140,
          22.0
         ],
         "text": "mc.cycle~ @chans 2"
        }
       },
       {
        "box": {
         "id": "obj-144",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          150.0,
          360,
          22.0
         ],
         "text": "mcs.nn~ nn_effects saturate 2 4096 @chans 2"
        }
       },
       {
        "box": {
         "id": "obj-145",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          204.0,
          80,
          22.0
         ],
         "text": "mc.dac~ 1 2"
        }
       },
       {
        "box": {
         "id": "obj-146",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          248.0,
          480,
          40.0
         ],
         "text": "Latency: 2B - n samples (n = vector size), or B - n with bufsize 0. bang tells it.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-147",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          310.0,
          480,
          60.0
         ],
         "text": "Non-Real-Time driver renders: create the object with @offline 1 so that every block waits for the model (Max does not tell externals which driver runs).",
         "linecount": 3
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-143",
          0
         ],
         "destination": [
          "obj-144",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-144",
          0
         ],
         "destination": [
          "obj-145",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "basic"
     }
    }
   },
   {
    "box": {
     "id": "obj-210",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      106.0,
      120,
      22.0
     ],
     "text": "p messages",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-148",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          40.0
         ],
         "text": "Every message goes to the left inlet. Answers come out of the rightmost (info) outlet.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-149",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          70,
          44,
          22.0
         ],
         "text": "bang",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-150",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          70,
          480,
          40.0
         ],
         "text": "state on the info outlet: model, method, bufsize, dim, ratio, latency, overruns, mode",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-151",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          120,
          72,
          22.0
         ],
         "text": "enable 0",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-152",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          120,
          331.5,
          20.0
         ],
         "text": "silence out, input not consumed (enable 1: back on)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-153",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          150,
          51,
          22.0
         ],
         "text": "gpu 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-154",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          150,
          325.0,
          20.0
         ],
         "text": "run on a GPU (an error where libtorch has no CUDA)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-155",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          180,
          121,
          22.0
         ],
         "text": "load nn_effects",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-156",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          180,
          344.5,
          20.0
         ],
         "text": "another model file, swapped in without stopping audio",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-157",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          210,
          121,
          22.0
         ],
         "text": "method saturate",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-158",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          210,
          175.5,
          20.0
         ],
         "text": "another method of the model",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-159",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          240,
          100,
          22.0
         ],
         "text": "bufsize 2048",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-160",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          240,
          480,
          20.0
         ],
         "text": "another buffer size (power of two; 0 = synchronous); delay auto: lower latency",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-161",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          270,
          58,
          22.0
         ],
         "text": "reload",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-162",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          270,
          480.0,
          20.0
         ],
         "text": "reload the file, keeping the values you set; resample 0: ignore a model's own rate",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-163",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          300,
          100,
          22.0
         ],
         "text": "set gain 0.5",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-164",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          300,
          480,
          40.0
         ],
         "text": "typed attribute value; buffer attributes take a buffer~ name, tensors an [array] name",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-165",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          350,
          72,
          22.0
         ],
         "text": "get gain",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-166",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          350,
          214.5,
          20.0
         ],
         "text": "current value, on the info outlet",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-167",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          380,
          44,
          22.0
         ],
         "text": "dump",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-168",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          380,
          318.5,
          20.0
         ],
         "text": "everything the model declares, on the info outlet",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-169",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          410,
          170,
          22.0
         ],
         "text": "print_available_models",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-170",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          410,
          299.0,
          20.0
         ],
         "text": "list the IRCAM Forum models in the Max console",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-171",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          440,
          184,
          22.0
         ],
         "text": "download ircam/rave/isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-172",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          440,
          318.5,
          20.0
         ],
         "text": "download a model card into the user models folder",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-173",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          470,
          93,
          22.0
         ],
         "text": "remove isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-174",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          470,
          318.5,
          20.0
         ],
         "text": "delete a downloaded model (delete isis: the same)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-175",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          500,
          93,
          22.0
         ],
         "text": "delete isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-176",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          500,
          117.0,
          20.0
         ],
         "text": "the same as remove",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-177",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          530,
          198,
          22.0
         ],
         "text": "api http://127.0.0.1:8000/",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-178",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          530,
          136.5,
          20.0
         ],
         "text": "use another model API",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-179",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 1,
         "patching_rect": [
          20,
          570,
          40,
          22.0
         ],
         "text": "t l"
        }
       },
       {
        "box": {
         "id": "obj-180",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          610,
          360,
          22.0
         ],
         "text": "mcs.nn~ nn_effects saturate 2 4096 @chans 2"
        }
       },
       {
        "box": {
         "id": "obj-181",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          300,
          650,
          80,
          22.0
         ],
         "text": "print info"
        }
       },
       {
        "box": {
         "id": "obj-281",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          130,
          240,
          75,
          22.0
         ],
         "text": "delay auto",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-282",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          100,
          270,
          80,
          22.0
         ],
         "text": "resample 0",
         "outlettype": [
          ""
         ]
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-149",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-151",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-153",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-155",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-157",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-159",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-161",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-163",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-165",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-167",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-169",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-171",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-173",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-175",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-177",
          0
         ],
         "destination": [
          "obj-179",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-179",
          0
         ],
         "destination": [
          "obj-180",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-180",
          1
         ],
         "destination": [
          "obj-181",
          0
         ]
        }
       },
       {
        "patchline": {
         "destination": [
          "obj-179",
          0
         ],
         "source": [
          "obj-281",
          0
         ]
        }
       },
       {
        "patchline": {
         "destination": [
          "obj-179",
          0
         ],
         "source": [
          "obj-282",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "messages"
     }
    }
   },
   {
    "box": {
     "id": "obj-211",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      136.0,
      120,
      22.0
     ],
     "text": "p attributes",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-182",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          40.0
         ],
         "text": "Attributes: set them in the box (@name value) or send the attribute name with a value.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-183",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          60,
          72,
          22.0
         ],
         "text": "enable 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-184",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          60,
          130.0,
          20.0
         ],
         "text": "process (0: silence)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-185",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          90,
          51,
          22.0
         ],
         "text": "gpu 0",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-186",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          90,
          65.0,
          20.0
         ],
         "text": "CPU or GPU",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-187",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          120,
          121,
          22.0
         ],
         "text": "track_buffers 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-188",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          120,
          331.5,
          20.0
         ],
         "text": "re-read buffer~ attributes when the buffer~ changes",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-189",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          150,
          79,
          22.0
         ],
         "text": "offline 1",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-190",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          150,
          480,
          40.0
         ],
         "text": "(at creation) wait for the model: complete renders with the Non-Real-Time driver",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-191",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          200,
          65,
          22.0
         ],
         "text": "chans 4",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-192",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          250,
          200,
          253.5,
          20.0
         ],
         "text": "output channels per cord (0: automatic)",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-193",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          260,
          360,
          22.0
         ],
         "text": "mcs.nn~ nn_effects saturate 2 4096 @chans 2"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-183",
          0
         ],
         "destination": [
          "obj-193",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-185",
          0
         ],
         "destination": [
          "obj-193",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-187",
          0
         ],
         "destination": [
          "obj-193",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-189",
          0
         ],
         "destination": [
          "obj-193",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-191",
          0
         ],
         "destination": [
          "obj-193",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "attributes"
     }
    }
   },
   {
    "box": {
     "id": "obj-212",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      166.0,
      120,
      22.0
     ],
     "text": "p buffers",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-194",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          60.0
         ],
         "text": "Buffer attributes read every channel of a buffer~ at its own sample rate; tensor attributes read an [array]. With @track_buffers 1, editing the buffer~ sets the attribute again.",
         "linecount": 3
        }
       },
       {
        "box": {
         "id": "obj-195",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          96.0,
          200,
          22.0
         ],
         "text": "buffer~ mysound jongly.aif"
        }
       },
       {
        "box": {
         "id": "obj-196",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 1,
         "patching_rect": [
          240,
          96.0,
          220,
          22.0
         ],
         "text": "array myvalues @value 0.1 0.2 0.3"
        }
       },
       {
        "box": {
         "id": "obj-197",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          140.0,
          142,
          22.0
         ],
         "text": "set sample mysound",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-198",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          200,
          140.0,
          142,
          22.0
         ],
         "text": "set table myvalues",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-199",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 2,
         "patching_rect": [
          20,
          194.0,
          360,
          22.0
         ],
         "text": "mcs.nn~ demo_attributes forward 4096 @track_buffers 1"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-197",
          0
         ],
         "destination": [
          "obj-199",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-198",
          0
         ],
         "destination": [
          "obj-199",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "buffers"
     }
    }
   },
   {
    "box": {
     "id": "obj-213",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      196.0,
      120,
      22.0
     ],
     "text": "p void",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-200",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          396.5,
          20.0
         ],
         "text": "mcs.nn~ void <examples> <bufsize>: fixed cords, no model yet.",
         "linecount": 1
        }
       },
       {
        "box": {
         "id": "obj-201",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          20,
          56.0,
          121,
          22.0
         ],
         "text": "load nn_effects",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-202",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          160,
          56.0,
          184,
          22.0
         ],
         "text": "download ircam/rave/isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-203",
         "maxclass": "message",
         "numinlets": 2,
         "numoutlets": 1,
         "patching_rect": [
          360,
          56.0,
          79,
          22.0
         ],
         "text": "load isis",
         "outlettype": [
          ""
         ]
        }
       },
       {
        "box": {
         "id": "obj-204",
         "maxclass": "newobj",
         "numinlets": 1,
         "numoutlets": 3,
         "patching_rect": [
          20,
          110.0,
          220,
          22.0
         ],
         "text": "mcs.nn~ void 2 4096"
        }
       }
      ],
      "lines": [
       {
        "patchline": {
         "source": [
          "obj-201",
          0
         ],
         "destination": [
          "obj-204",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-202",
          0
         ],
         "destination": [
          "obj-204",
          0
         ]
        }
       },
       {
        "patchline": {
         "source": [
          "obj-203",
          0
         ],
         "destination": [
          "obj-204",
          0
         ]
        }
       }
      ],
      "showontab": 1,
      "description": "void"
     }
    }
   },
   {
    "box": {
     "id": "obj-214",
     "maxclass": "newobj",
     "numinlets": 0,
     "numoutlets": 0,
     "patching_rect": [
      20,
      226.0,
      120,
      22.0
     ],
     "text": "p multichannel",
     "patcher": {
      "fileversion": 1,
      "appversion": {
       "major": 8,
       "minor": 6,
       "revision": 0,
       "architecture": "x64",
       "modernui": 1
      },
      "classnamespace": "box",
      "rect": [
       100,
       100,
       760,
       560
      ],
      "boxes": [
       {
        "box": {
         "id": "obj-205",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          14,
          480,
          40.0
         ],
         "text": "mcs.nn~: one multichannel cord per batch example; its channels are the model's dimensions. Arguments: model method examples bufsize.",
         "linecount": 2
        }
       },
       {
        "box": {
         "id": "obj-206",
         "maxclass": "newobj",
         "numinlets": 2,
         "numoutlets": 3,
         "patching_rect": [
          20,
          76.0,
          300,
          22.0
         ],
         "text": "mcs.nn~ demo_mc identity 2 2048 @chans 8"
        }
       },
       {
        "box": {
         "id": "obj-207",
         "maxclass": "comment",
         "numinlets": 1,
         "numoutlets": 0,
         "patching_rect": [
          20,
          120.0,
          480,
          40.0
         ],
         "text": "Channels of an inlet beyond the model's inputs are ignored, missing ones are silent.",
         "linecount": 2
        }
       }
      ],
      "lines": [],
      "showontab": 1,
      "description": "multichannel"
     }
    }
   }
  ],
  "lines": []
 }
}