# ruff: noqa: E501
"""Inpatient: "possible pneumonia" is treated but never confirmed or ruled out, down to the discharge summary."""

HP = """\
ADMISSION HISTORY AND PHYSICAL - Hospital Medicine

Chief complaint: cough and fever for three days.

History of present illness: 76-year-old woman with hypertension and osteoarthritis who presents with three days of cough productive of yellow sputum, subjective fevers, and fatigue. She reports mild discomfort at the left lower chest with deep breaths. No hemoptysis, no leg swelling, no recent travel or hospital stay. Her grandson had a cold last week. She received influenza and pneumococcal vaccines in the fall. In the emergency department her temperature was 38.1 C; blood cultures were drawn and she received one dose of ceftriaxone.

Past medical history: hypertension; osteoarthritis of both knees; hyperlipidemia; cataract surgery in 2021.
Medications: amlodipine 5 mg daily, atorvastatin 20 mg nightly, acetaminophen as needed.
Allergies: no known drug allergies.
Family history: mother with stroke at 80; brother with hypertension.
Social history: lives with her husband, independent in all activities; never smoker; one glass of wine on weekends.
Review of systems: positive for cough, sputum, fevers and fatigue. Negative for chest pressure, palpitations, dysuria, abdominal pain, diarrhea and rash.

Physical exam: T 38.1 C, HR 88, BP 136/78, RR 18, SpO2 94% on room air. Alert and oriented, speaking in full sentences. Dry mucous membranes. Decreased breath sounds and faint crackles at the left base, no wheezes. Heart regular, no murmur. Abdomen soft and non-tender. No calf tenderness, no edema.

Data: WBC 11.4, hemoglobin 13.1, platelets 245, sodium 138, creatinine 0.8, lactate 1.1, procalcitonin 0.3. Influenza and SARS-CoV-2 PCR negative. Chest x-ray: patchy left basilar opacity, atelectasis versus early infiltrate per radiology.

Assessment and plan:
1. Possible community-acquired pneumonia, left lower lobe - productive cough, fever and a left basilar opacity; atelectasis is the alternative. Continue ceftriaxone 1 g IV daily and add azithromycin 500 mg daily. Sputum culture if she can produce a sample. Incentive spirometry.
2. No evidence of sepsis - hemodynamically stable, lactate normal, mentating well.
3. Hypertension - continue amlodipine.
4. Hyperlipidemia - continue atorvastatin.
5. VTE prophylaxis - enoxaparin 40 mg daily. Full code.
"""

CXR = """\
RADIOLOGY REPORT

Examination: chest, two views (PA and lateral).
Clinical indication: 76-year-old woman with cough and fever.
Comparison: chest radiograph from March 2023.
Technique: standard upright PA and lateral views of the chest were obtained. Image quality is adequate; the patient was able to take a full inspiration.

Findings:
Lines and tubes: none.
Lungs: there is a new patchy opacity at the left lung base, partially obscuring the medial left hemidiaphragm on the frontal view and projecting over the posterior lower lobe on the lateral view. No air bronchograms are clearly seen. The right lung is clear. Lung volumes are normal. No pulmonary nodules are identified.
Pleura: no pleural effusion. No pneumothorax.
Heart and mediastinum: heart size is normal. The mediastinal and hilar contours are unremarkable. Mild atherosclerotic calcification of the aortic arch.
Bones and soft tissues: mild degenerative change of the thoracic spine. No acute osseous abnormality.

Impression:
1. Patchy left basilar opacity, new since 2023, which may represent atelectasis or early pneumonia in the appropriate clinical setting.
2. No pleural effusion.
Recommendation: follow-up radiographs after treatment are suggested to document resolution.
"""

PN = """\
PROGRESS NOTE - Hospital day 2

Subjective: Slept better last night. The cough persists but the sputum is lighter in color. No fevers since yesterday evening. She ate most of her breakfast and walked the hallway twice with physical therapy. Mild soreness at the left lower chest with coughing only.

Objective:
Vitals: Tmax 37.6 C, HR 80, BP 128/74, RR 16, SpO2 95% on room air.
Exam: comfortable, speaking easily. Fewer crackles at the left base; no wheezes. Heart regular. No edema.
Labs: WBC 9.2, creatinine 0.7, sodium 139. Blood cultures no growth at 24 hours. Sputum culture not obtained (unable to produce a sample despite chest physiotherapy).
Medications: ceftriaxone 1 g IV daily, azithromycin 500 mg daily (day 2), amlodipine, atorvastatin, enoxaparin.

Assessment and plan:
1. Possible left lower lobe pneumonia versus atelectasis - clinically improving on ceftriaxone and azithromycin; continue both today and change to an oral agent tomorrow if she stays afebrile. Incentive spirometry ten times an hour while awake.
2. Hypertension - controlled on amlodipine.
3. Hyperlipidemia - atorvastatin.
4. Disposition - physical therapy cleared her for home without services; anticipate discharge in 24 to 48 hours. Husband updated at the bedside.
"""

DS = """\
DISCHARGE SUMMARY

Admission date: 01/12/2026. Discharge date: 01/15/2026.

Discharge diagnoses:
1. Fever and productive cough with a left basilar opacity, treated with antibiotics
2. Hypertension
3. Hyperlipidemia
4. Osteoarthritis of both knees

Hospital course: 76-year-old woman admitted with three days of productive cough and fever. The chest radiograph showed a patchy left basilar opacity that radiology read as atelectasis or early infiltrate. She was treated with IV ceftriaxone and azithromycin for possible pneumonia and defervesced within 24 hours, with steady improvement of the cough. Blood cultures showed no growth at 48 hours; a sputum culture could not be obtained. WBC went from 11.4 to 9.2. She stayed on room air throughout with saturations of 94 to 97 percent. She was changed to oral cefpodoxime on day 3 to complete five days of antibiotics in total. Blood pressure was controlled on her home amlodipine.

Condition at discharge: stable, afebrile, ambulating independently.

Discharge medications:
- cefpodoxime 200 mg by mouth twice daily for 2 more days (new)
- amlodipine 5 mg daily
- atorvastatin 20 mg nightly
- acetaminophen 650 mg every 6 hours as needed

Patient instructions: Finish the antibiotic even if you feel well. Use the incentive spirometer several times a day for one more week. Drink plenty of fluids. Call your doctor or come back for a temperature above 38.3 C, shortness of breath, chest pain, or coughing up blood.

Follow-up: primary care in 1 week; repeat chest x-ray in 6 weeks to make sure the opacity has cleared.
"""

SAMPLE = {
    "id": "uncertain-pneumonia-unresolved",
    "setting": "inpatient",
    "shows": '"Possible pneumonia" in the H&P (radiology: atelectasis or early pneumonia), treated with antibiotics; the discharge summary neither confirms nor rules it out; a provisional Condition agrees. Sepsis is explicitly excluded.',
    "patient": {
        "given": "Edith",
        "family": "Varga-Lindqvist",
        "gender": "female",
        "birth_date": "1949-06-02",
        "mrn": "FS-1001",
    },
    "practitioners": {
        "attending": {"given": "Tobias", "family": "Renfield-Okafor", "suffix": "MD", "role": "attending"},
        "radiologist": {"given": "Annika", "family": "Shore", "suffix": "MD", "role": "radiologist"},
    },
    "attending": "attending",
    "period": ("2026-01-12T16:40:00Z", "2026-01-15T12:10:00Z"),
    "notes": [
        {
            "id": "cxr",
            "type": "imaging-report",
            "author": "radiologist",
            "date": "2026-01-12T17:55:00Z",
            "text": CXR,
        },
        {
            "id": "hp",
            "type": "history-and-physical",
            "author": "attending",
            "date": "2026-01-12T19:30:00Z",
            "text": HP,
        },
        {
            "id": "pn1",
            "type": "progress-note",
            "author": "attending",
            "date": "2026-01-13T15:00:00Z",
            "text": PN,
        },
        {
            "id": "ds",
            "type": "discharge-summary",
            "author": "attending",
            "date": "2026-01-15T12:10:00Z",
            "text": DS,
        },
    ],
    "conditions": [
        {
            "text": "Pneumonia",
            "snomed": "233604007",
            "icd10cm": "J18.9",
            "icd10cm_display": "Pneumonia, unspecified organism",
            "verification": "provisional",
            "recorded": "2026-01-12",
            "asserter": "attending",
        },
        {
            "text": "Essential hypertension",
            "snomed": "59621000",
            "icd10cm": "I10",
            "recorded": "2026-01-12",
            "asserter": "attending",
        },
    ],
    "observations": [
        ("8310-5", 38.1, "2026-01-12T16:55:00Z"),
        ("8867-4", 88, "2026-01-12T16:55:00Z"),
        ("59408-5", 94, "2026-01-12T16:55:00Z"),
        ("6690-2", 11.4, "2026-01-12T17:10:00Z"),
        ("2524-7", 1.1, "2026-01-12T17:10:00Z"),
        ("33959-8", 0.3, "2026-01-12T17:10:00Z"),
        ("2160-0", 0.8, "2026-01-12T17:10:00Z"),
        ("8310-5", 37.6, "2026-01-13T06:00:00Z"),
        ("6690-2", 9.2, "2026-01-13T05:30:00Z"),
    ],
    "expected": [{"kind": "uncertain", "topic": "pneumonia"}],
    "not_expected": ["sepsis"],
}
